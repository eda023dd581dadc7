@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

/// The pieces behind issue 9's promises, one at a time.
@Suite struct SafetyDetailsTests {

    // MARK: The gate's figure after a reboot

    /// Counted after a reboot: fstab's active swap entries that are active now or carry a swap
    /// signature, without /swap.img (Step 0 retires it) and without noauto entries.
    @Test func afterARebootCountsOnlyWhatFstabBringsBack() {
        var machine = SimulatedSpark()
        machine.swaps.append(SwapArea(path: "/swap2", sizeKiB: 10 * 1024 * 1024 - 4, priority: -3))   // active, not in fstab
        machine.files["/data.swap"] = SimFile(content: nil, mode: 0o600, size: 60 * ByteSize.giB, swapSignature: true)
        machine.files["/plain"] = SimFile(content: nil, mode: 0o600, size: 60 * ByteSize.giB)
        machine.files["/etc/fstab"]?.content! += "/data.swap none swap sw 0 0\n/plain none swap sw 0 0\n/other none swap noauto 0 0\n"
        let figures = SwapGate.figures(PracticeHost(machine: machine))
        #expect(figures.now.totalKiB == 26 * 1024 * 1024 - 8)
        #expect(figures.afterReboot.totalKiB == 60 * 1024 * 1024 - 4, "\(figures.bootAreas)")
        #expect(!figures.afterReboot.passes && !figures.passes)
        #expect(figures.bootAreas.map(\.device) == ["/data.swap", "/plain", "/other"])
        #expect(figures.bootAreas.map { $0.sizeKiB != nil } == [true, false, false])
        // One more area of the missing size passes both figures.
        #expect(SwapGate.wholeGiB(kiB: SwapGate.missingKiB(figures)) == "38G")
    }

    /// The README's rule, exactly: total >= 64 GiB - 64 KiB per counted area.
    @Test func theAllowanceIs64KiBPerArea() {
        #expect(SwapGate.evaluate(sizesKiB: [64 * 1024 * 1024 - 64]).passes)
        #expect(!SwapGate.evaluate(sizesKiB: [64 * 1024 * 1024 - 65]).passes)
        #expect(SwapGate.evaluate(sizesKiB: [32 * 1024 * 1024 - 64, 32 * 1024 * 1024 - 64]).passes)
        #expect(!SwapGate.evaluate(sizesKiB: []).passes)
    }

    // MARK: A swapfile phase0 made, cut while it was made

    /// A cut while fallocate ran leaves only the path in the resume file: the file found there
    /// is phase0's (the path was absent when it started), its identity is recorded, and Step 0
    /// goes on. The same file with no such record would be refused.
    @Test func aCreationCutInFlightIsResumed() throws {
        var machine = SimulatedSpark()
        machine.files["/swapfile"] = SimFile(content: nil, mode: 0o644, size: 128 * ByteSize.giB, inode: 77)
        machine.mounts[0].availBytes -= 128 * ByteSize.giB
        var progress = Progress(mode: .practice, stepCount: 6, machine: machine, now: "T0")
        progress.answers = ["swapfile": "/swapfile", "swapSize": "128G", "swappiness": "10"]
        progress.updateStep(0) {
            $0.status = .inProgress
            $0.updateAction("allocate") { $0.status = .inFlight; $0.attempts = 1; $0.made = MadeFile(path: "/swapfile") }
        }
        let host = PracticeHost(machine: machine)
        let run = runSteps([SwapStep.make()], on: host, progress: progress, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(!host.machine.history.contains { $0.contains("fallocate") })
        #expect(run.progress.step(0)?.action("allocate")?.made == MadeFile(path: "/swapfile", inode: 77, size: 128 * ByteSize.giB))
        // Without the record of the cut creation: not phase0's file.
        let stranger = PracticeHost(machine: machine)
        guard case .gate = runSteps([SwapStep.make()], on: stranger, assumeYes: true).outcome else { Issue.record("accepted"); return }
        #expect(stranger.machine.history.isEmpty)
    }

    // MARK: Where phase0 runs

    @Test func readsTMUX() {
        let parsed = SelfProcess.parseTMUX("/tmp/tmux-1000/default,4519,0")
        #expect(parsed?.socket == "/tmp/tmux-1000/default" && parsed?.serverPID == 4519)
        #expect(SelfProcess.parseTMUX("") == nil && SelfProcess.parseTMUX(nil) == nil && SelfProcess.parseTMUX("junk") == nil)
        #expect(SelfProcess.parseTMUX("/tmp/a,b/sock,12,3")?.socket == "/tmp/a,b/sock")
        let me = SelfProcess(tmuxSocket: "/tmp/tmux-1000/default", tmuxServerPID: 4519, ancestors: [4600, 4519, 700])
        #expect(me.isInside(tmuxSocket: "/tmp/tmux-1000/default", serverPID: nil))
        #expect(me.isInside(tmuxSocket: nil, serverPID: 700))
        #expect(!me.isInside(tmuxSocket: "/tmp/tmux-1000/vybn", serverPID: 5000))
        #expect(!me.isInside(tmuxSocket: nil, serverPID: 1))
    }

    /// phase0 inside the agent's own session (a window of `tmux -L vybn attach`), and the unit
    /// must be restarted (its rendering changed): restarting would end this terminal, so the
    /// run stops and says how to go on.
    @Test func aRestartThatWouldEndThisTerminalIsRefused() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        #expect(runSteps([AgentServiceStep.make()], on: host, assumeYes: true).outcome == .complete)
        let inside = PhaseZeroInside(host.machine, socket: "vybn")
        let run = runSteps([AgentServiceStep.make()], on: inside, answersFile: ["agentDir": "/home/vybnz69/Vybn/spark", "tmuxSession": "vybn",
                                                                               "ollamaURL": "http://localhost:11434"], assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("\(run.outcome)\n\(run.text)"); return }
        #expect(reason.contains("this phase0 runs inside that server"), "\(reason)")
        #expect(!inside.inner.machine.history.contains { $0.contains("systemctl restart") })
    }

    // MARK: The guide's facts

    @Test func recognisesTheAgentNotAnEditor() {
        #expect(Probe.agentScript(["/home/v/.venv/spark/bin/python", "/home/v/Vybn/spark/tui.py"]) == "tui.py")
        #expect(Probe.agentScript(["python3", "-u", "web_serve.py", "--port", "8000"]) == "web_serve.py")
        #expect(Probe.agentScript(["./tui.py"]) == "tui.py")
        #expect(Probe.agentScript(["vim", "tui.py"]) == nil)
        #expect(Probe.agentScript(["python3", "other.py", "tui.py"]) == nil)
    }

    /// The agent inside the unit is not "outside"; a hand-run one is, with its PID and owner.
    @Test func findsAgentsOutsideTheUnitOnly() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"runningByHand": ["web_serve.py"]}"#))
        #expect(runSteps([AgentServiceStep.make()], on: host, answersFile: ["stopOtherAgent": "no"], assumeYes: true).outcome != .complete)
        let found = try #require(Probe.agentProcesses(host, outsideUnit: "vybn-agent.service").value)
        #expect(found.map(\.script) == ["web_serve.py"] && found.first?.user == "vybnz69" && found.first?.pid == 3100)
        host.machine.handProcesses = []
        #expect(runSteps([AgentServiceStep.make()], on: host, assumeYes: true).outcome == .complete)
        // The unit's own tui.py runs now, in the unit's cgroup: not outside.
        #expect(Probe.agentProcesses(host, outsideUnit: "vybn-agent.service") == .found([]))
        #expect(host.machine.simulatedProcesses().contains { $0.commandLine.hasSuffix("tui.py") })
    }

    /// One question decides sudo for docker, for the wizard and `reference` alike.
    @Test func dockerAccessFollowsTheDockerGroup() throws {
        let plain = PracticeHost(machine: sparkAfterStep0())
        #expect(Probe.dockerAccess(plain) == .sudo)
        #expect(DockerAccess.sudo.change(["rm", "-f", "x"]).display(invoker: "vybnz69") == "sudo docker rm -f x")
        let grouped = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"dockerGroup": true}"#))
        #expect(Probe.dockerAccess(grouped) == .direct)
        #expect(DockerAccess.direct.change(["rm", "-f", "x"]).display(invoker: "vybnz69") == "docker rm -f x")
        // With the daemon down, the group still decides.
        grouped.machine.docker.daemonRunning = false
        #expect(Probe.dockerAccess(grouped) == .direct)
        let text = KeyCommands.render(try GuideAnswers([:]), hostName: "spark", serveURL: nil, docker: .direct)
        #expect(text.contains("docker logs open-webui") && !text.contains("sudo docker"))
    }

    /// Open WebUI's /api/config: `"onboarding": true` only while no account exists (FACTS A1);
    /// anything that is not its configuration says nothing either way.
    @Test func readsWhetherOpenWebUIHasAnAccount() throws {
        var machine = sparkAfterStep3()
        machine.docker.containers = []
        let host = PracticeHost(machine: machine)
        if case .unknown = Probe.webuiAccounts(host, port: "3000") {} else { Issue.record("no Open WebUI, yet an answer") }
        let withContainer = PracticeHost(machine: sparkAfterStep0 { $0.webuiAccounts = 0 })
        #expect(runSteps([OpenWebUIStep.make()], on: withContainer, assumeYes: true).outcome != .complete)
        #expect(Probe.webuiAccounts(withContainer, port: "3000") == .none)
        withContainer.machine.webuiAccounts = 1
        #expect(Probe.webuiAccounts(withContainer, port: "3000") == .exist)
    }

    /// The tmux session name is also the agent's socket: "default" (everyone's own) is refused.
    @Test func theAgentNeverSharesTheDefaultSocket() {
        guard case .failure(let failure) = Validate.tmuxSession("default") else { Issue.record("accepted"); return }
        #expect(failure.reason.contains("tmux's own socket"))
    }
}
