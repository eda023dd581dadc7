@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

/// The operator's own tmux and destructive choices (issue 9, §4): phase0 never stops a tmux
/// server it did not start, and -y never answers a destructive replacement.
@Suite struct OperatorTmuxTests {

    /// The operator's own tmux server (where they may run phase0, as the README advises) holds
    /// a session named like the agent's: the unit's server lives on its own socket, so nothing
    /// of the operator's is stopped, even with -y.
    @Test func theOperatorsOwnTmuxServerIsNeverStopped() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"tmuxSessions": ["work", "vybn"]}"#))
        let run = runSteps([AgentServiceStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(!host.machine.history.contains { $0.contains("kill-server") || $0.contains("kill-session") }, "\(host.machine.history)")
        let byHand = host.machine.tmuxSessions.filter { $0.fromUnit == nil }.map(\.name)
        #expect(byHand == ["work", "vybn"], "\(host.machine.tmuxSessions)")
        #expect(host.machine.tmuxSessions.contains { $0.fromUnit == "vybn-agent.service" && $0.name == "vybn" })
        // The attach command the guide's `tmux attach -t vybn` becomes, everywhere it is shown.
        #expect(run.text.contains("tmux -L vybn attach -t vybn"), "\(run.text)")
    }

    /// A container phase0 did not make is never removed on -y alone: the run stops (exit 1)
    /// and names the answers-file key that allows it.
    @Test func assumeYesNeverRemovesAContainerPhase0DidNotMake() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"containers": [{"name": "open-webui", "image": "ghcr.io/open-webui/open-webui:v0.5.0"}]}"#))
        let run = runSteps([OpenWebUIStep.make()], on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "replaceContainer"), "\(run.outcome)\n\(run.text)")
        #expect(run.outcome.exitCode == 1)
        #expect(!host.machine.history.contains { $0.contains("docker rm") }, "\(host.machine.history)")
        #expect(host.machine.docker.containers.map(\.image) == ["ghcr.io/open-webui/open-webui:v0.5.0"])
    }
}

/// Open WebUI is never exposed without an owner (issue 9, §5).
@Suite struct WebUIOwnerTests {

    /// -y cannot register an account: Step 3 stops (exit 1) with the way to reach the page.
    @Test func assumeYesStopsAtTheFirstAccountWithTheSSHTunnel() throws {
        let host = PracticeHost(machine: sparkAfterStep0 { $0.webuiAccounts = 0 })
        let run = runSteps([OpenWebUIStep.make(), TailscaleServeStep.make()], on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "ssh -L 3000:127.0.0.1:3000 vybnz69@spark-2b7c"), "\(run.outcome)\n\(run.text)")
        #expect(!host.machine.history.contains { $0.contains("tailscale serve") }, "\(host.machine.history)")
        #expect(host.machine.tailscale.serveProxy == nil)
    }

    /// Step 4 on its own (Step 3 done earlier, no account yet): tailscale serve never runs.
    @Test func step4NeverServesAPageWithoutAnAccount() throws {
        var machine = sparkAfterStep3()
        machine.webuiAccounts = 0
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("\(run.outcome)\n\(run.text)"); return }
        #expect(reason.contains("ssh -L 3000:127.0.0.1:3000"), "\(reason)")
        #expect(!host.machine.history.contains { $0.contains("tailscale serve") })
        #expect(host.machine.tailscale.serveProxy == nil)
    }

    /// Sign-up stays closed across restarts: the environment says so (ENABLE_PERSISTENT_CONFIG
    /// is False, so an admin-panel setting would revert at every start; see FACTS A3).
    @Test func theContainerKeepsSignUpClosed() throws {
        let settings = WebUISettings(image: "ghcr.io/open-webui/open-webui:main", container: "open-webui", volume: "open-webui",
                                     port: "3000", hostNetwork: true, ollamaURL: "http://127.0.0.1:11434")
        let argv = try WebUIContainer.argv(settings)
        #expect(argv.contains("--env=ENABLE_SIGNUP=False"))
        #expect(argv.contains("--env=ENABLE_PERSISTENT_CONFIG=False"))
    }
}

/// The guide's facts, checked on the machine (issue 9, §6).
@Suite struct GuideFactsTests {

    /// Without vybn:latest in Ollama's list, -y cannot pick the agent's model: it asks, and
    /// without a person it stops there, naming the key.
    @Test func assumeYesDoesNotGuessTheModel() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"ollamaModels": ["llama3.3:70b"]}"#))
        let run = runSteps([AgentServiceStep.make()], on: host, assumeYes: true)
        guard case .stopped(let reason) = run.outcome else { Issue.record("\(run.outcome)\n\(run.text)"); return }
        #expect(reason.contains("\"model\""), "\(reason)")
        #expect(run.prompts.contains { $0.hasPrefix("Model the agent uses") }, "\(run.prompts)")
        #expect(host.machine.history.isEmpty, "\(host.machine.history)")
        // Named at the prompt: one Ollama serves is accepted, another is refused with the list.
        let asked = runSteps([AgentServiceStep.make()], on: host, lines: ["vybn:latest", "llama3.3:70b"], answersFile: guideDefaultAnswers.filter { AgentUnit.keys.map(\.rawValue).contains($0.key) })
        #expect(asked.text.contains("Ollama serves llama3.3:70b; vybn:latest is not one of them"), "\(asked.text)")
        #expect(asked.progress.answers["model"] == "llama3.3:70b")
    }

    /// With memory full, troubleshoot never advises pulling or creating a model.
    @Test func troubleshootNeverAdvisesPullingAModelWhenMemoryIsFull() throws {
        var machine = sparkAfterStep3()
        machine.ollama.models = ["llama3.3:70b"]
        let found = Troubleshooting.run(.service, host: SparkWithHooks(machine), answers: try GuideAnswers([:]))
        let finding = try #require(found.first { $0.title.contains("vybn:latest") })
        let advice = (finding.todo ?? "").lowercased()
        #expect(!advice.contains("pull") && !advice.contains("create"), "\(advice)")
    }

    /// A missing docker names how DGX OS gets it (docker-ce from Docker's repository), not
    /// Debian's docker.io.
    @Test func aMissingDockerNamesWhereDGXOSGetsIt() throws {
        let host = PracticeHost(machine: try sparkAfterStep0(scenario: #"{"programs": {"docker": false}}"#))
        let run = runSteps([OpenWebUIStep.make()], on: host, answersFile: ["webuiNetwork": "host"], assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(reason.contains("docker-ce"), "\(reason)")
        #expect(!reason.contains("apt install docker.io"), "\(reason)")
    }
}
