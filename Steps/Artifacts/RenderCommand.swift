import Phase0Core
import Phase0Parsers

/// `phase0 render unit|docker`: what Steps 2 and 3 would write or run for the current answers,
/// printed and nothing else. Answers come from `--answers FILE`, else the resume file, else
/// the guide's defaults; tmux's and curl's paths and where Ollama listens are read (read-only)
/// from the machine the run is about: this one, or the simulated Spark with --practice.
public enum RenderCommand {
    public enum Artifact: String, CaseIterable, Sendable { case unit, docker }

    /// Prints the artifact to `output` and notes to `notes`; answers that cannot be used are bad input.
    public static func run(
        _ artifact: Artifact, config: WizardConfig, answersPath: String?,
        output: Output, notes: Output
    ) -> RunOutcome {
        let host: Host
        var answers: [String: String] = [:]
        do {
            let view = try config.openReadOnly()
            answers = view.progress?.answers ?? [:]
            host = view.host
            if let answersPath {
                let given = try loadAnswersFile(answersPath, knownKeys: Procedure.answerKeys())
                answers.merge(given) { _, new in new }
            }
        } catch {
            // The resume file or the answers file cannot be used (a held lock is no matter: nothing is locked).
            notes.write("phase0: \(error)\n")
            return .badInput("\(error)")
        }
        do {
            switch artifact {
            case .unit:
                output.write(try AgentUnit.render(try AgentUnit.settings(answers: answers, host: host)))
            case .docker:
                // Validated as Step 3 does, before where Ollama listens is read.
                let probe = try WebUIContainer.settings(answers: answers, hostNetwork: true)
                let choice = try AnswerKey.webuiNetwork.checked(in: answers)
                let plan = WebUINetwork.plan(choice: choice, ollamaURL: probe.ollamaURL, webuiPort: probe.port, host: host)
                notes.write("# network: \(plan.reason)\n")
                if let refusal = plan.refusal { notes.write("# warning: \(refusal)\n") }
                output.write(
                    WebUIContainer.shellDisplay(
                        try WebUIContainer.argv(try WebUIContainer.settings(answers: answers, hostNetwork: plan.hostNetwork))))
            }
            return .complete
        } catch {
            let source = answersPath ?? config.resolvedStatePath
            let problem = "\(source): cannot render \(artifact == .unit ? "the unit" : "the docker command"): \(error)"
            notes.write("phase0: \(problem)\n")
            return .badInput(problem)
        }
    }
}
