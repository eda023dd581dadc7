import Testing
import Foundation

/// The guide's Steps 2-4 failure cases, from the built-in scenarios, through the pseudo-terminal.
@Suite struct ServiceScenarioTests {
    /// The guide's "tmux session 'vybn' already exists from manual run", tui.py in it: Step 2
    /// leaves the operator's tmux alone (the unit has its own socket) and asks before stopping
    /// the second agent, that process only. No: nothing stopped, exit 130. The next run asks
    /// again; yes: it stops, its window closes, the operator's other session stays.
    @Test func anAgentRunByHandInTmuxIsStoppedOnlyAfterAYes() throws {
        let sandbox = try Sandbox()
        let handRun = "tui.py runs outside vybn-agent.service: PID 3100 (vybnz69): /home/vybnz69/.venv/spark/bin/python /home/vybnz69/Vybn/spark/tui.py"
        let op = try startPractice(sandbox, scenario: "tmux-session-by-hand")
        let first = op.terminal
        try op.step0()
        try op.step1()
        try op.step2Questions()
        try op.see("Your own tmux (default socket): session(s) vybn, work; phase0 leaves it alone")
        try op.see(handRun)
        try op.confirm(Operator.unitFile, done: "Install the unit file (mode 0644)")
        try op.confirm(["sudo systemctl daemon-reload"], done: "Have systemd read the unit (daemon-reload)")
        try op.confirm(["sudo systemctl enable vybn-agent.service"], done: "Enable the unit at boot")
        try op.see("  -> Stop the agent running outside the unit (one agent instance)")
        try op.see("$ kill -TERM 3100")
        try op.see("then waits up to 60 s until the check passes")
        try op.see("This stops or removes something phase0 did not start (answers-file key: stopOtherAgent).")
        try op.see(Prompt.confirm)
        first.send("e\r")
        try op.see("Why: The guide runs one agent: tui.py under systemd.")
        try op.see(Prompt.confirm)
        first.send("n\r")
        try op.see("Stopped: you chose not to run \"Stop the agent running outside the unit (one agent instance)\"; nothing was run.")
        #expect(try first.waitForExit() == 130)
        let sessions = try #require(try sandbox.machine()["tmuxSessions"] as? [[String: Any]])
        #expect(sessions.compactMap { $0["name"] as? String } == ["vybn", "work"] && sessions.allSatisfy { $0["fromUnit"] == nil })
        #expect(historyMatches(try sandbox.history(), Array(fullRunHistory.prefix(16))))

        let second = try sandbox.terminal(["--practice"])
        let resumed = Operator(terminal: second)
        try resumed.see("== Step 2 of 5")
        try resumed.see(handRun)
        try resumed.see("[ok] Enable the unit at boot")
        try resumed.confirm(["kill -TERM 3100"], done: "Stop the agent running outside the unit (one agent instance)")
        try resumed.see("[not needed] Stop the tmux server on the agent's socket that the unit did not start")
        try resumed.step2Start()
        try resumed.step3()
        try resumed.step4()
        try resumed.step5()
        try resumed.complete()
        #expect(historyMatches(try sandbox.history(), fullRunHistory(inserting: "kill -TERM 3100", after: 16)))
        let after = try #require(try sandbox.machine()["tmuxSessions"] as? [[String: Any]])
        // The hand-run tui.py's window closed; the operator's other session and server stay.
        #expect(after.map { "\($0["name"] ?? "?") \($0["fromUnit"] ?? "-")" } == ["work -", "vybn vybn-agent.service"], "\(after)")
    }

    /// An old open-webui container made by hand: Step 3 says what it is and asks before
    /// removing it. No: it keeps running. The next run, yes: replaced, volume kept.
    @Test func anOldOpenWebUIContainerIsReplacedOnlyAfterAYes() throws {
        let sandbox = try Sandbox()
        let old = "running, image ghcr.io/open-webui/open-webui:v0.3.10, not made by phase0 (by hand, or by the guide's command)"
        let op = try startPractice(sandbox, scenario: "old-open-webui-container")
        let first = op.terminal
        try op.step0()
        try op.step1()
        try op.step2()
        try op.step3Questions()
        try op.see("Container open-webui: " + old)
        try op.confirm(["sudo docker pull ghcr.io/open-webui/open-webui:main"], done: "Pull the Open WebUI image")
        try op.see("Container open-webui: \(old).")
        try op.see("$ sudo docker rm -f open-webui")
        try op.see(Prompt.confirm)
        first.send("n\r")
        try op.see("Stopped: you chose not to run \"Remove the existing container (its volume and data stay)\"; nothing was run.")
        #expect(try first.waitForExit() == 130)
        let containers = try #require(try sandbox.machine()["containers"] as? [[String: Any]])
        #expect(containers.count == 1 && containers.first?["image"] as? String == "ghcr.io/open-webui/open-webui:v0.3.10"
                && containers.first?["running"] as? Bool == true)

        let second = try sandbox.terminal(["--practice"])
        let resumed = Operator(terminal: second)
        try resumed.see("== Step 3 of 5")
        try resumed.see("Container open-webui: " + old)
        try resumed.step3Container(replacing: old, resumed: true)
        try resumed.step4()
        try resumed.step5()
        try resumed.complete()
        #expect(historyMatches(try sandbox.history(), fullRunHistory(inserting: "sudo docker rm -f open-webui", after: 18)))
        let replaced = try #require(try sandbox.machine()["containers"] as? [[String: Any]])
        #expect(replaced.count == 1 && replaced.first?["image"] as? String == "ghcr.io/open-webui/open-webui:main")
    }

    /// Where Ollama listens decides the network, with the reason on screen; Ollama itself is never reconfigured.
    @Test(arguments: [
        ("ollama-loopback-only", "Network: host network: Ollama listens on 127.0.0.1:11434 only, which the guide's host-gateway route cannot reach (\"connection refused\");",
         hostNetworkRun, "http://127.0.0.1:11434/api/tags"),
        ("ollama-all-interfaces", "Network: the guide's bridge network: Ollama listens on 0.0.0.0:11434, which host-gateway reaches",
         bridgeRun, "http://host.docker.internal:11434/api/tags"),
    ])
    func whereOllamaListensChoosesTheNetwork(fixture: String, reason: String, run: String, reached: String) throws {
        let sandbox = try Sandbox()
        let op = try startPractice(sandbox, scenario: fixture)
        try op.step0()
        try op.step1()
        try op.step2()
        try op.step3(network: reason, run: run)
        try op.see("Open WebUI reaches Ollama (from the container: \(reached))")
        try op.step4()
        try op.step5()
        try op.complete()
        var expected = fullRunHistory
        expected[18] = run + "..."
        let history = try sandbox.history()
        #expect(historyMatches(history, expected), "\(history)")
        #expect(!history.contains { $0.contains("ollama") || $0.contains("OLLAMA_HOST") })
    }

    /// HTTPS off for the tailnet: the admin page is shown and serve is not run until it is on.
    /// In practice Enter has the simulated operator enable it; then serve runs and verifies.
    @Test func httpsNotEnabledIsAnOperatorTask() throws {
        let sandbox = try Sandbox()
        let op = try startPractice(sandbox, scenario: "https-not-enabled")
        let terminal = op.terminal
        try op.step0()
        try op.step1()
        try op.step2()
        try op.step3()
        try op.see("== Step 4 of 5: Expose Open WebUI via Tailscale Serve ==")
        try op.see("Tailscale: Running as spark-2b7c.tail2b7c.ts.net; HTTPS for the tailnet not enabled")
        try op.see("[ok] Connect the Spark to your tailnet")
        try op.see("  -> Enable HTTPS for your tailnet (admin console)")
        try op.see("HTTPS is not enabled for your tailnet. Only an admin can turn it on, in the browser:")
        try op.see("1. Open https://login.tailscale.com/admin/dns")
        try op.see("(Practice: press Enter and the simulated operator enables HTTPS in the admin console on the simulated Spark.)")
        try op.see(Prompt.operatorTask)
        #expect(historyMatches(try sandbox.history(), Array(fullRunHistory.prefix(19))))
        terminal.send("\r")
        try op.see("(practice) You enabled HTTPS certificates for the simulated tailnet on https://login.tailscale.com/admin/dns.")
        try op.see("[done] Enable HTTPS for your tailnet (admin console)")
        try op.step4Serve()
        try op.step5()
        try op.complete()
        #expect(historyMatches(try sandbox.history(), fullRunHistory))
        #expect((try sandbox.machine()["tailscale"] as? [String: Any])?["httpsEnabled"] as? Bool == true)
    }

    /// With -y nobody can click in the admin console: the run stops at the task (exit 1), serve never ran.
    @Test func httpsNotEnabledStopsAnUnattendedRun() throws {
        let sandbox = try Sandbox()
        // With the first account registered (nobody can during a -y run), the run gets to Step 4.
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try scenario("https-not-enabled")))) as? [String: Any])
        json["webuiAccounts"] = 1
        let file = sandbox.dir + "/https-not-enabled.json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", file])
        #expect(code == 1, "\(output)")
        #expect(output.contains("FAILED: Enable HTTPS for your tailnet (admin console) needs you:"), "\(output)")
        #expect(output.contains("https://login.tailscale.com/admin/dns"))
        #expect(historyMatches(try sandbox.history(), Array(fullRunHistory.prefix(19))))
        #expect(try sandbox.stepStatuses() == ["done", "done", "done", "done", "failed", "pending"])
    }

    /// Docker missing: Steps 0-2 complete, Step 3 names what to install before running anything. Exit 1.
    @Test func dockerMissingFailsClearly() throws {
        let sandbox = try Sandbox()
        let op = try startPractice(sandbox, scenario: "docker-missing")
        let terminal = op.terminal
        try op.step0()
        try op.step1()
        try op.step2()
        try op.step3Questions()
        let step3 = try terminal.expect("phase0 will not continue: docker is not installed. The guide's Step 3 runs Open WebUI in Docker. DGX OS ships it: docker-ce from Docker's own apt repository")
        #expect(step3.contains("Docker: not installed"))
        #expect(!step3.contains("Run this?") && !step3.contains("Will run"), "\(step3)")
        try op.see("Progress is saved in \(sandbox.statePath).")
        #expect(try terminal.waitForExit() == 1)
        #expect(historyMatches(try sandbox.history(), Array(fullRunHistory.prefix(17))))
        #expect(try sandbox.stepStatuses() == ["done", "done", "done", "failed", "pending", "pending"])
    }
}
