@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Foundation
import Testing

/// Step 3 (Open WebUI in a memory-capped container): detect, act and verify on the simulated Spark.
@Suite struct Step3Tests {
    func steps() -> [Step] { [OpenWebUIStep.make()] }

    /// The guide's values for Steps 2 and 3.
    static let defaults = guideDefaultAnswers.filter { (AgentUnit.keys + WebUIContainer.keys).map(\.rawValue).contains($0.key) }

    func config(_ host: PracticeHost, _ name: String = "open-webui") throws -> SimRunConfig {
        let container = try #require(host.machine.docker.containers.first { $0.name == name })
        return host.machine.runConfig(container)
    }

    @Test func ollamaOnLoopbackGetsTheHostNetworkVariantWithTheReason() throws {
        let host = PracticeHost(machine: sparkAfterStep0())   // the guide's Spark: Ollama on 127.0.0.1:11434
        let run = runSteps(steps(), on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(run.text.contains("Ollama listens on 127.0.0.1:11434 only, which the guide's host-gateway route cannot reach"))
        let c = try config(host)
        #expect(c.network == "host")
        #expect(c.envValue("HOST") == "127.0.0.1" && c.envValue("PORT") == "3000")
        #expect(c.envValue("OLLAMA_BASE_URL") == "http://127.0.0.1:11434")
        #expect(c.publish.isEmpty)
        #expect(c.memory == 2 * 1024 * 1024 * 1024 && c.memorySwap == 4 * 1024 * 1024 * 1024)
        #expect(c.restart == "always")
        #expect(c.volumes == ["open-webui:/app/backend/data"])
        #expect(host.machine.ollama.listen == "127.0.0.1:11434")   // never changed
        // The container reaches Ollama, and Open WebUI answers on loopback.
        #expect(try host.run(.rootProbe(["docker", "exec", "open-webui", "curl", "-s", "http://127.0.0.1:11434/api/tags"])).succeeded)
        #expect(try host.run(Command(["curl", "-fsS", "http://127.0.0.1:3000/health"])).output == "{\"status\":true}")
        let history = host.machine.history
        #expect(history.first == "sudo docker pull ghcr.io/open-webui/open-webui:main")
        #expect(history.count == 2 && history[1].hasPrefix("sudo docker run --detach --name=open-webui"))
        #expect(run.text.contains("[ok] Register the first account now (it becomes admin): an account exists"))
        #expect(run.text.contains("sign-up stays closed (ENABLE_SIGNUP=False"))
        #expect(c.envValue("ENABLE_SIGNUP") == "False")
    }

    @Test func ollamaOnAllAddressesKeepsTheGuidesBridgeRoute() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"ollamaListen": "0.0.0.0:11434"}"#))
        let run = runSteps(steps(), on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        let c = try config(host)
        #expect(c.network == "bridge")
        #expect(c.publish.map { "\($0.ip):\($0.hostPort):\($0.containerPort)" } == ["127.0.0.1:3000:8080"])
        #expect(c.addHosts == ["host.docker.internal:host-gateway"])
        #expect(c.envValue("OLLAMA_BASE_URL") == "http://host.docker.internal:11434")
        #expect(try host.run(.rootProbe(["docker", "exec", "open-webui", "curl", "-s", "http://host.docker.internal:11434/api/tags"])).succeeded)
    }

    @Test func theGuidesRouteToALoopbackOllamaIsRefusedNotWorkedAround() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        let run = runSteps(steps(), on: host, answersFile: ["webuiNetwork": "bridge"], assumeYes: true)
        #expect(isFailure(run.outcome, containing: "connection refused"), "\(run.outcome)")
        #expect(isFailure(run.outcome, containing: "will not make Ollama listen on 0.0.0.0"))
        #expect(host.machine.docker.containers.isEmpty)
        #expect(host.machine.ollama.listen == "127.0.0.1:11434")
        // What the refusal protects against: the guide's container cannot reach a loopback Ollama.
        _ = try host.run(.privileged(SimRunConfig.guideArgv(name: "guide", image: "ghcr.io/open-webui/open-webui:main")))
        let reach = try host.run(.rootProbe(["docker", "exec", "guide", "curl", "-s", "http://host.docker.internal:11434/api/tags"]))
        #expect(reach.exitStatus == 7)
    }

    @Test func aMatchingContainerIsKeptAndASecondRunChangesNothing() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        let first = runSteps(steps(), on: host, assumeYes: true)
        #expect(first.outcome == .complete)
        let history = host.machine.history
        let again = runSteps(steps(), on: host, assumeYes: true)
        let resumed = runSteps(steps(), on: host, progress: first.progress, assumeYes: true)
        #expect(again.outcome == .complete && resumed.outcome == .complete)
        #expect(host.machine.history == history)
        let ctx = stepContext(host, answers: again.progress.answers)
        for action in OpenWebUIStep.make().actions {
            #expect(try action.check(ctx).ok, "\(action.id) would run again")
        }
    }

    /// A cut while the container started leaves a step that verifies on resume; the actions
    /// after the cut still run (checked first), so the first-account warning is not lost
    /// before Step 4 exposes the page.
    @Test func aStepCutPartWayGoesOnToTheFirstAccountWarning() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        let first = runSteps(steps(), on: host, assumeYes: true)
        #expect(first.outcome == .complete)
        #expect(first.progress.step(3)?.action("first-account")?.note?.contains("an account exists") == true)
        let history = host.machine.history
        var cut = first.progress
        cut.updateStep(3) {
            $0.status = .inProgress
            $0.note = nil
            $0.actions.removeAll { ["health", "first-account"].contains($0.id) }
            $0.updateAction("run-container") { $0.status = .inFlight }
        }
        let resumed = runSteps(steps(), on: host, progress: cut, assumeYes: true)
        #expect(resumed.outcome == .complete, "\(resumed.text)")
        #expect(resumed.text.contains("[ok] Register the first account now (it becomes admin): an account exists"))
        #expect(resumed.progress.step(3) == first.progress.step(3))
        #expect(host.machine.history == history)
    }

    @Test func aMatchingStoppedContainerIsStartedNotReplaced() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        #expect(runSteps(steps(), on: host, assumeYes: true).outcome == .complete)
        _ = try host.run(.privileged(["docker", "stop", "open-webui"]))
        let before = host.machine.history.count
        let run = runSteps(steps(), on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(Array(host.machine.history.dropFirst(before)) == ["sudo docker start open-webui"])
    }

    @Test func aContainerMadeByHandIsReplacedAfterAskingAndItsVolumeKept() throws {
        let scenario = #"{"containers": [{"name": "open-webui", "running": false}]}"#
        // Declined at the prompt: stopped, nothing removed.
        let declined = PracticeHost(machine: try sparkAfterStep0(scenario: scenario))
        let presets = Self.defaults.filter { WebUIContainer.keys.map(\.rawValue).contains($0.key) }
        let no = runSteps(steps(), on: declined, lines: ["n"], answersFile: presets)
        guard case .stopped = no.outcome else { Issue.record("\(no.outcome)"); return }
        #expect(no.text.contains("not made by phase0 (by hand, or by the guide's command)"))
        #expect(declined.machine.docker.containers.map(\.argv) == [[]])
        // Pre-answered no: refused with the reason.
        let refused = PracticeHost(machine: try sparkAfterStep0(scenario: scenario))
        let run = runSteps(steps(), on: refused, answersFile: ["replaceContainer": "no"], assumeYes: true)
        #expect(isFailure(run.outcome, containing: "replaceContainer=no"))
        #expect(refused.machine.docker.containers.map(\.argv) == [[]])
        // Yes: removed (the volume stays) and run from the rendered command.
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: scenario))
        host.machine.docker.volumes = ["open-webui"]
        let yes = runSteps(steps(), on: host, answersFile: ["replaceContainer": "yes"], assumeYes: true)
        #expect(yes.outcome == .complete, "\(yes.text)")
        #expect(host.machine.history.contains("sudo docker rm -f open-webui"))
        #expect(host.machine.docker.volumes == ["open-webui"])
        #expect(try config(host).labels[WebUIContainer.configLabel] != nil)
    }

    @Test func aContainerFromOtherValuesIsNotAMatch() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        #expect(runSteps(steps(), on: host, assumeYes: true).outcome == .complete)
        let run = runSteps(steps(), on: host, answersFile: ["webuiPort": "3001"], assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(run.text.contains("made by phase0 from other values"))
        #expect(try config(host).envValue("PORT") == "3001")
        #expect(try host.run(Command(["curl", "-fsS", "http://127.0.0.1:3001/health"])).succeeded)
        #expect(!(try host.run(Command(["curl", "-fsS", "http://127.0.0.1:3000/health"]))).succeeded)
    }

    @Test func verifyAsksTheContainerWhetherItReachesOllama() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"services": {"ollama.service": "inactive"}}"#))
        let run = runSteps(steps(), on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "Open WebUI reaches Ollama"), "\(run.outcome)")
        #expect(isFailure(run.outcome, containing: "phase0 troubleshoot webui"))
        #expect(run.text.contains("nothing listens on port 11434"))
        // Once Ollama is back, the same container verifies: nothing is redone.
        _ = try host.run(.privileged(["systemctl", "start", "ollama.service"]))
        let before = host.machine.history
        let again = runSteps(steps(), on: host, progress: run.progress, assumeYes: true)
        #expect(again.outcome == .complete, "\(again.text)")
        #expect(host.machine.history == before)
    }

    @Test func dockerMissingFailsClearlyAndChangesNothing() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"programs": {"docker": false}}"#))
        let run = runSteps(steps(), on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "docker is not installed"), "\(run.outcome)")
        #expect(run.text.contains("Docker: not installed"))
        #expect(host.machine.history.isEmpty)
    }

    @Test func aStoppedDockerDaemonIsStarted() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"dockerDaemon": false}"#))
        let run = runSteps(steps(), on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(host.machine.history.first == "sudo systemctl start docker.service")
    }

    @Test func healthIsPolledNotSleptOn() throws {
        let host = PracticeHost(machine: sparkAfterStep0())
        let ctx = stepContext(host, answers: Self.defaults)
        guard case .commands(let make) = OpenWebUIStep.waitForHealth.kind else { Issue.record("not commands"); return }
        let commands = try make(ctx)
        #expect(commands.count == 1)
        let argv = commands[0].argv
        #expect(argv.first == "curl" && argv.last == "http://127.0.0.1:3000/health")
        #expect(argv.contains("--retry-max-time") && argv.contains("--retry-connrefused"))
        #expect(commands[0].timeout != nil && commands[0].effect == .readOnly)
        #expect(!argv.contains("sleep"))
    }

    @Test func stepsTwoAndThreeTogetherRunTwiceWithoutChange() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessionsOnSocket": {"vybn": ["vybn"]}, "containers": [{"name": "open-webui"}]}"#))
        let both = [AgentServiceStep.make(), OpenWebUIStep.make()]
        let first = runSteps(both, on: host, answersFile: ["replaceTmuxSession": "yes", "replaceContainer": "yes"], assumeYes: true)
        #expect(first.outcome == .complete, "\(first.text)")
        let history = host.machine.history
        #expect(history.contains("tmux -L vybn kill-server") && history.contains("sudo docker rm -f open-webui"))
        let second = runSteps(both, on: host, assumeYes: true)
        #expect(second.outcome == .complete)
        #expect(host.machine.history == history)
        #expect(!second.text.contains("Will run:"))
    }
}
