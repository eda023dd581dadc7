@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Foundation
import Testing

/// Step 2 (the agent under systemd, in tmux): detect, act and verify on the simulated Spark.
@Suite struct Step2Tests {
    static let unitPath = "/etc/systemd/system/vybn-agent.service"

    func step() -> [Step] { [AgentServiceStep.make()] }

    @Test func freshSparkGetsTheUnitEnabledStartedWithItsSession() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        let run = runSteps(step(), on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        let machine = host.machine
        let unit = try #require(machine.files[Self.unitPath])
        #expect(unit.mode == 0o644)
        let expected = try AgentUnit.render(AgentUnit.settings(answers: [:], host: host))
        #expect(unit.content == expected)
        #expect(machine.services["vybn-agent.service"]?.active == true)
        #expect(machine.services["vybn-agent.service"]?.enabled == true)
        #expect(machine.tmuxSessions == [SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: "vybn-agent.service", socket: "vybn")])
        let lines = expected.split(separator: "\n").count
        #expect(machine.history == [
            "sudo install -m 0644 /dev/stdin /etc/systemd/system/vybn-agent.service.phase0-new  <<< (\(lines) lines on stdin)",
            "sudo mv -f /etc/systemd/system/vybn-agent.service.phase0-new /etc/systemd/system/vybn-agent.service",
            "sudo systemctl daemon-reload",
            "sudo systemctl enable vybn-agent.service",
            "sudo systemctl start vybn-agent.service",
        ])
        // tmux -L vybn attach -t vybn as the user finds the session, inside the unit; plain tmux
        // (the operator's own server) does not (FACTS C2).
        #expect(try host.run(Command(["tmux", "-L", "vybn", "has-session", "-t", "=vybn"], runAs: .user("vybnz69"))).succeeded)
        #expect(try !host.run(Command(["tmux", "has-session", "-t", "=vybn"], runAs: .user("vybnz69"))).succeeded)
        #expect(run.text.contains("[done] Step 2 verified"))
    }

    @Test func aSecondRunChangesNothing() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        let first = runSteps(step(), on: host, assumeYes: true)
        #expect(first.outcome == .complete)
        let history = host.machine.history
        // Resumed with the saved progress, and started over with a fresh one: no change either way.
        let resumed = runSteps(step(), on: host, progress: first.progress, assumeYes: true)
        let fresh = runSteps(step(), on: host, assumeYes: true)
        #expect(resumed.outcome == .complete && fresh.outcome == .complete)
        #expect(host.machine.history == history)
        #expect(fresh.text.contains("already done"))
        // And every action's own check says its effect is in place.
        let ctx = stepContext(host, answers: fresh.progress.answers)
        ctx.stepNumber = 2
        for action in AgentServiceStep.make().actions {
            #expect(try action.check(ctx).ok, "\(action.id) would run again")
        }
    }

    /// A server on the agent's own socket that the unit did not start (someone ran
    /// `tmux -L vybn new -s vybn`) would capture the unit's session: stopped only after asking.
    @Test func aTmuxSessionRunByHandIsStoppedOnlyAfterAsking() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["vybn"]}}"#))
        // Every value preset, so the only prompts are confirmations: install, reload, enable, then the kill.
        let run = runSteps(step(), on: host, lines: ["y", "y", "y", "n"], answersFile: guideDefaultAnswers.filter { AgentUnit.keys.map(\.rawValue).contains($0.key) || $0.key == "model" })
        guard case .stopped = run.outcome else { Issue.record("expected a stop, got \(run.outcome)"); return }
        #expect(run.text.contains("A tmux server started by hand runs on socket vybn for vybnz69, with session(s): vybn."))
        #expect(run.text.contains("tmux -L vybn kill-server"))
        #expect(host.machine.tmuxSessions == [SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: nil, socket: "vybn")])
        #expect(!host.machine.history.contains { $0.contains("kill-server") || $0.contains("systemctl start") })
    }

    @Test func aHandRunSessionIsReplacedWithTheAnswersFilesYes() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["vybn", "scratch"]}, "tmuxSessions": ["work"]}"#))
        let run = runSteps(step(), on: host, answersFile: ["replaceTmuxSession": "yes"], assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        // Run as vybnz69 (the practice operator, so without sudo), and shown before it ran.
        #expect(host.machine.history.contains("tmux -L vybn kill-server"))
        #expect(run.text.contains("with session(s): vybn, scratch"))
        #expect(run.text.contains("Run this? yes (answers file: replaceTmuxSession=yes)"))
        // The operator's own server (default socket) is untouched.
        #expect(host.machine.tmuxSessions == [SimTmuxSession(user: "vybnz69", name: "work", fromUnit: nil),
                                              SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: "vybn-agent.service", socket: "vybn")])
    }

    /// -y alone never stops a tmux server phase0 did not start: exit 1, naming the key.
    @Test func assumeYesAloneNeverStopsAHandRunServer() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["vybn"]}}"#))
        let run = runSteps(step(), on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "\"replaceTmuxSession\": \"yes\""), "\(run.outcome)")
        #expect(run.outcome.exitCode == 1)
        #expect(!host.machine.history.contains { $0.contains("kill-server") })
    }

    /// phase0 runs inside the hand-started server on the agent's socket: stopping it would end
    /// phase0's own terminal, so it is refused even with the answers file's yes.
    @Test func theServerPhase0RunsInIsNeverStopped() throws {
        var machine = try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["vybn"]}}"#)
        machine.tmuxSessions[0].attachedClients = 1
        let inside = PhaseZeroInside(machine, socket: "vybn")
        let run = runSteps(step(), on: inside, answersFile: ["replaceTmuxSession": "yes"], assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("\(run.outcome)\n\(run.text)"); return }
        #expect(reason.contains("this phase0 runs inside it"), "\(reason)")
        #expect(!inside.inner.machine.history.contains { $0.contains("kill-server") })
    }

    @Test func replaceTmuxSessionNoRefusesWithTheReason() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["work"]}}"#))
        let run = runSteps(step(), on: host, answersFile: ["replaceTmuxSession": "no"], assumeYes: true)
        #expect(isFailure(run.outcome, containing: "replaceTmuxSession=no"), "\(run.outcome)")
        #expect(host.machine.tmuxSessions.map(\.name) == ["work"])
        #expect(host.machine.services["vybn-agent.service"]?.active != true)
        let bad = runSteps(step(), on: PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["work"]}}"#)), answersFile: ["replaceTmuxSession": "maybe"], assumeYes: true)
        #expect(isFailure(bad.outcome, containing: "must be yes or no"))
    }

    @Test func startingBesideAHandRunSessionFailsLikeSystemd() throws {
        var machine = try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["vybn"]}}"#)
        let text = try AgentUnit.render(AgentUnit.settings(answers: [:], host: PracticeHost(machine: machine)))
        machine.files[Self.unitPath] = SimFile(content: text, mode: 0o644)
        let host = PracticeHost(machine: machine)
        #expect(try host.run(.privileged(["systemctl", "daemon-reload"])).succeeded)
        let start = try host.run(.privileged(["systemctl", "start", "vybn-agent.service"]))
        #expect(!start.succeeded)
        #expect(start.output.contains("Job for vybn-agent.service failed"))
        let journal = try host.run(Command(["journalctl", "-u", "vybn-agent.service", "-n", "5"]))
        #expect(journal.output.contains("duplicate session: vybn"))
        #expect(try host.run(Command(["systemctl", "is-active", "vybn-agent.service"])).output == "failed\n")
        // A hand-run server on that socket without that session name captures the session instead: still a failure.
        var other = try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["work"]}}"#)
        other.files[Self.unitPath] = SimFile(content: text, mode: 0o644)
        let otherHost = PracticeHost(machine: other)
        #expect(!(try otherHost.run(.privileged(["systemctl", "start", "vybn-agent.service"]))).succeeded)
        #expect(otherHost.machine.tmuxSessions.allSatisfy { $0.fromUnit == nil })
        // The operator's own server (the default socket), even with a session named vybn, is
        // another server: the unit starts beside it (the guide's "duplicate session" cannot happen).
        var own = try sparkAfterStep0(scenario: #"{"tmuxSessions": ["vybn", "work"]}"#)
        own.files[Self.unitPath] = SimFile(content: text, mode: 0o644)
        let ownHost = PracticeHost(machine: own)
        #expect(try ownHost.run(.privileged(["systemctl", "start", "vybn-agent.service"])).succeeded)
        #expect(ownHost.machine.tmuxSessions.filter { $0.fromUnit == nil }.map(\.name) == ["vybn", "work"])
    }

    @Test func restartAlwaysBringsTheSessionBackAndOnFailureWouldNot() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        #expect(runSteps(step(), on: host, assumeYes: true).outcome == .complete)
        // tui.py dies: the tmux server exits 0, and Restart=always starts it again.
        #expect(try host.run(Command(["pkill", "-u", "vybnz69", "-f", "tui.py"])).succeeded)
        #expect(host.machine.services["vybn-agent.service"]?.restarts == 1)
        #expect(host.machine.tmuxSessions.map(\.name) == ["vybn"])
        // The guide's Restart=on-failure: the same death leaves the agent down.
        let guideUnit = host.machine.files[Self.unitPath]!.content!.replacing("Restart=always", with: "Restart=on-failure")
        host.machine.files[Self.unitPath] = SimFile(content: guideUnit, mode: 0o644)
        _ = try host.run(.privileged(["systemctl", "daemon-reload"]))
        _ = try host.run(.privileged(["systemctl", "restart", "vybn-agent.service"]))
        _ = try host.run(Command(["tmux", "-L", "vybn", "kill-server"], runAs: .user("vybnz69")))
        #expect(host.machine.services["vybn-agent.service"]?.active == false)
        #expect(host.machine.tmuxSessions.isEmpty)
    }

    @Test func changedAnswersRewriteTheUnitAndRestartTheService() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        #expect(runSteps(step(), on: host, assumeYes: true).outcome == .complete)
        let before = host.machine.history.count
        let run = runSteps(step(), on: host, answersFile: ["tmuxSession": "agent"], assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        let new = Array(host.machine.history.dropFirst(before))
        #expect(new.contains("sudo cp -p --no-clobber /etc/systemd/system/vybn-agent.service /etc/systemd/system/vybn-agent.service.phase0-backup.1"))
        #expect(new.contains("sudo systemctl daemon-reload"))
        #expect(new.contains("sudo systemctl restart vybn-agent.service"))
        #expect(!new.contains("sudo systemctl enable vybn-agent.service"))
        #expect(host.machine.tmuxSessions.map(\.name) == ["agent"])
        #expect(run.text.contains("- ExecStart=/usr/bin/tmux -L vybn new-session -d -s vybn"))   // the diff was shown
    }

    @Test func answersThatCannotWorkAreRefusedWithTheReason() throws {
        let cases: [(String, String, String)] = [
            ("user", "nobody-here", "there is no user \"nobody-here\""),
            ("agentDir", "/home/vybnz69/Vybn", "holds no tui.py"),
            ("agentDir", "/home/vybnz69/Vybn/spark\\", "must not contain"),
            ("venvPython", "/home/vybnz69/.venv/missing/bin/python", "does not exist"),
            ("tmuxSession", "vy:bn", "tmux rewrites"),
            ("ollamaURL", "http://127.0.0.1:11434/$(reboot)", "must not have a path"),
        ]
        for (key, value, reason) in cases {
            let host = PracticeHost(machine: sparkAfterStep0())
            let run = runSteps(step(), on: host, answersFile: [key: value], assumeYes: true)
            guard case .badInput(let message) = run.outcome else {
                Issue.record("\(key)=\(value) was accepted: \(run.outcome)")
                continue
            }
            if !message.contains(reason) && !(key == "agentDir" && message.contains("backslash")) {
                Issue.record("\(key)=\(value): \(message)")
            }
            #expect(host.machine.history.isEmpty)
        }
    }

    @Test func aVenvPythonThatDoesNotRunIsRefused() throws {
        var machine = sparkAfterStep0()
        machine.files["/home/vybnz69/.venv/spark/bin/python"]?.mode = 0o644   // not executable
        let run = runSteps(step(), on: PracticeHost(machine: machine), answersFile: ["venvPython": "/home/vybnz69/.venv/spark/bin/python"], assumeYes: true)
        guard case .badInput(let message) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(message.contains("--version, run as vybnz69, did not work"))
    }

    @Test func missingTmuxIsRefusedBeforeAnythingChanges() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"programs": {"tmux": false}}"#))
        let run = runSteps(step(), on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "tmux is not installed"), "\(run.outcome)")
        #expect(host.machine.history.isEmpty)
    }
}
