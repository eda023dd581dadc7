import Testing
import Foundation

/// Issue 9 through the built binary: what an operator on a real Spark would run into.
@Suite struct SafetyEndToEndTests {
    /// A scenario file in the sandbox.
    func scenarioFile(_ sandbox: Sandbox, _ json: String) throws -> String {
        let path = sandbox.dir + "/scenario.json"
        try sandbox.write(json, to: path)
        return path
    }

    func machineHistory(_ sandbox: Sandbox) throws -> [String] { try sandbox.history() }

    // MARK: §5 Open WebUI is never exposed without an owner

    /// -y and no account yet: Step 3 stops (exit 1) with the ssh tunnel to reach the page, and
    /// `tailscale serve` never runs.
    @Test func assumeYesNeverExposesOpenWebUIWithoutAnAccount() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "-y"])
        #expect(code == 1, "\(output)")
        #expect(output.contains("ssh -L 3000:127.0.0.1:3000 vybnz69@spark-2b7c"), "\(output)")
        #expect(!output.contains("== Step 4"), "\(output)")
        #expect(!(try machineHistory(sandbox)).contains { $0.contains("tailscale serve") })
    }

    /// With an account (scenario key webuiAccounts), -y goes on; the end of the run says what
    /// Phase 0 does not do and how the agent stays current.
    @Test func withAnAccountTheRunEndsSayingWhatPhase0DoesNotDo() throws {
        let sandbox = try Sandbox()
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(#"{"unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}"#, to: answers)
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", answers,
                                              "--scenario", try scenarioFile(sandbox, #"{"webuiAccounts": 1}"#)])
        #expect(code == 0, "\(output)")
        #expect(output.contains("Phase 0 complete: all steps done and verified."))
        #expect(output.contains("What Phase 0 does not do (Phase 1+"), "\(output)")
        #expect(output.contains("Route Open WebUI through the full agent pipeline"))
        #expect(output.contains("cd /home/vybnz69/Vybn && git pull"), "\(output)")
    }

    /// Interactive practice: the simulated operator registers the first account when asked,
    /// and only then does the run go on to Step 4.
    @Test func thePracticeOperatorRegistersTheFirstAccountWhenAsked() throws {
        let sandbox = try Sandbox()
        let op = Operator(terminal: try sandbox.terminal(["--practice"]))
        try op.review()
        try op.step0()
        try op.step1()
        try op.step2()
        // Step 3 waits at "Register the first account", with the SSH tunnel to reach the page;
        // Enter has the simulated operator register (Operator.registerFirstAccount).
        try op.step3()
        try op.see("== Step 4 of 5")
        try op.see("[ok] Open WebUI has its first account (before anything is exposed)")
        try op.interrupt(statePath: sandbox.statePath)
        #expect(try sandbox.machine()["webuiAccounts"] as? Int == 1)
    }

    // MARK: §3 Settings that survive a reboot

    /// /etc/sysctl.conf says 60; a later drop-in says 30. phase0's drop-in sorts after
    /// 99-sysctl.conf, the later file is edited (shown, backed up), and the next boot applies 10.
    @Test func swappinessTenWinsAtTheNextBoot() throws {
        let sandbox = try Sandbox()
        let scenario = try scenarioFile(sandbox, #"""
            {"files": {"/etc/sysctl.conf": "vm.swappiness=60\n",
                       "/etc/sysctl.d/99-zzz-tuning.conf": "vm.swappiness = 30\nvm.dirty_ratio = 5\n"}}
            """#)
        let (_, output) = try sandbox.run(["--practice", "-y", "--scenario", scenario])
        #expect(output.contains("[done] Step 0 verified:"), "\(output)")
        #expect(try sandbox.stepStatuses().first == "done")
        let written = try #require(try sandbox.machine()["filesWritten"] as? [String])
        #expect(written.contains("/etc/sysctl.d/99-zz-phase0-swappiness.conf"), "\(written)")
        #expect(!written.contains("/etc/sysctl.d/99-phase0-swappiness.conf"), "\(written)")
        #expect(written.contains("/etc/sysctl.d/99-zzz-tuning.conf.phase0-backup.1"), "\(written)")
        #expect(output.contains("vm.swappiness at the next boot (10, from /etc/sysctl.d/99-zz-phase0-swappiness.conf)"), "\(output)")
        // The later file's swappiness line is commented out, shown as a diff first; the rest stays.
        #expect(output.contains("- vm.swappiness = 30\n     + #vm.swappiness = 30\n       vm.dirty_ratio = 5"), "\(output)")
        // /etc/sysctl.conf sorts before phase0's drop-in (through 99-sysctl.conf): it wins nothing
        // and is left as it was.
        #expect(!(try machineHistory(sandbox)).contains { $0.contains("/etc/sysctl.conf") })
    }

    // MARK: §2 The gate, honestly

    /// status shows both figures of the gate, in text and JSON.
    @Test func statusShowsSwapNowAndAfterAReboot() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.run(["--practice", "-y"])
        let (code, text) = try sandbox.run(["status", "--practice"])
        #expect(code == 0, "\(text)")
        #expect(text.contains("Swap now: 144G"), "\(text)")
        #expect(text.contains("after a reboot: 128G"), "\(text)")
        let gate = try #require(try sandbox.status()["swapGate"] as? [String: Any])
        let now = try #require(gate["now"] as? [String: Any])
        let after = try #require(gate["afterReboot"] as? [String: Any])
        #expect(now["passes"] as? Bool == true && after["passes"] as? Bool == true)
        #expect(after["totalKiB"] as? Int == 128 * 1024 * 1024 - 4, "\(after)")
    }

    /// At the prompt, a size that reaches 64G only until /swap.img is retired is not accepted.
    @Test func aSizeThatPassesOnlyUntilTheNextRebootIsRefusedAtThePrompt() throws {
        let sandbox = try Sandbox()
        let op = Operator(terminal: try sandbox.terminal(["--practice"]))
        // Changed at the review screen, validated as at Step 0's prompt.
        try op.see(Prompt.review)
        op.terminal.send("swapSize\r")
        try op.see("Swapfile size [128G]: ")
        op.terminal.send("48G\r")
        try op.see("Not accepted: ")
        try op.see("after a reboot")
        try op.see("Swapfile size [128G]: ")
        try op.interrupt(statePath: sandbox.statePath)
    }

    // MARK: §4 The operator's own tmux

    /// phase0 runs inside the operator's own tmux session: it completes, and that session and
    /// its server are still there; the agent's session lives on its own socket.
    @Test func aRunInsideTheOperatorsTmuxLeavesItAlone() throws {
        let sandbox = try Sandbox()
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(#"{"unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}"#, to: answers)
        let scenario = try scenarioFile(sandbox, #"{"tmuxSessions": ["vybn"], "phase0InTmux": "work", "webuiAccounts": 1}"#)
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", answers, "--scenario", scenario])
        #expect(code == 0, "\(output)")
        let sessions = try #require(try sandbox.machine()["tmuxSessions"] as? [[String: Any]])
        let byHand = sessions.filter { $0["fromUnit"] == nil }.compactMap { $0["name"] as? String }
        #expect(Set(byHand) == ["vybn", "work"], "\(sessions)")
        #expect(!(try machineHistory(sandbox)).contains { $0.contains("kill-server") || $0.contains("kill-session") })
    }

    // MARK: §6 The guide's facts, checked on the machine

    /// A web_serve.py left running by hand competes with tui.py for the GPU: -y does not stop it
    /// (exit 1, naming the key); with stopOtherAgent=yes it is stopped, and the run goes on.
    @Test func anAgentRunByHandIsStoppedOnlyWithConsent() throws {
        let sandbox = try Sandbox()
        let scenario = try scenarioFile(sandbox, #"{"runningByHand": ["web_serve.py"], "webuiAccounts": 1}"#)
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", scenario])
        #expect(code == 1, "\(output)")
        #expect(output.contains("stopOtherAgent"), "\(output)")
        #expect(output.contains("web_serve.py"), "\(output)")
        #expect(!(try machineHistory(sandbox)).contains { $0.hasPrefix("kill ") || $0.contains(" kill ") })
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(#"{"stopOtherAgent": "yes"}"#, to: answers)
        let (_, again) = try sandbox.run(["--practice", "-y", "--answers", answers])
        #expect(again.contains("[done] Step 2 verified"), "\(again)")
        let history = try machineHistory(sandbox)
        #expect(history.contains { $0.contains("kill ") }, "\(history)")
    }

    /// The operator cannot use docker without sudo on the simulated Spark: `reference` says
    /// sudo where the wizard uses it.
    @Test func referenceAndTheWizardAgreeOnSudoForDocker() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.run(["--practice", "-y"])
        let (code, text) = try sandbox.run(["reference", "--practice"])
        #expect(code == 0, "\(text)")
        #expect(text.contains("sudo docker logs open-webui"), "\(text)")
        #expect(try machineHistory(sandbox).contains { $0.hasPrefix("sudo docker run") })
    }

    /// In the docker group, neither the wizard nor `reference` uses sudo for docker.
    @Test func inTheDockerGroupNeitherUsesSudoForDocker() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.run(["--practice", "-y", "--scenario", try scenarioFile(sandbox, #"{"dockerGroup": true, "webuiAccounts": 1}"#)])
        let (_, text) = try sandbox.run(["reference", "--practice"])
        #expect(text.contains("\ndocker logs open-webui"), "\(text)")
        #expect(!text.contains("sudo docker"), "\(text)")
        let history = try machineHistory(sandbox)
        #expect(history.contains { $0.hasPrefix("docker run") } && !history.contains { $0.hasPrefix("sudo docker") }, "\(history)")
    }
}
