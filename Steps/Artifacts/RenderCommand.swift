import Phase0Core
import Phase0Parsers

/// `phase0 render unit|docker`: what Steps 2 and 3 would write or run for the current answers,
/// printed and nothing else. Answers come from `--answers FILE`, else the resume file, else
/// the guide's defaults; tmux's and curl's paths and where Ollama listens are read (read-only)
/// from the machine the run is about: this one, or the simulated Spark with --practice.
public enum RenderCommand {
    public enum Artifact: String, CaseIterable, Sendable { case unit, docker }

    /// Prints the artifact to `output` and notes to `notes`; returns the exit status.
    public static func run(
        _ artifact: Artifact, config: WizardConfig, answersPath: String?,
        output: Output, notes: Output
    ) -> Int32 {
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
        } catch let bad as InputFileError {
            notes.write("phase0: \(bad)\n")
            return ExitStatus.badInput
        } catch {
            notes.write("phase0: \(error)\n")
            return ExitStatus.badInput
        }
        do {
            switch artifact {
            case .unit:
                output.write(try AgentUnit.render(try AgentUnit.settings(answers: answers, host: host)))
            case .docker:
                let choice = try validated(
                    "webuiNetwork", Validate.choice(answers["webuiNetwork"] ?? "auto", among: ["auto", "host", "bridge"]))
                let ollamaURL = try validated(
                    "ollamaURL", Validate.localHTTPURL(answers["ollamaURL"] ?? AgentUnit.defaults["ollamaURL"]!, what: "the Ollama URL"))
                let port = try validated("webuiPort", Validate.port(answers["webuiPort"] ?? WebUIContainer.defaults["webuiPort"]!))
                let plan = WebUINetwork.plan(choice: choice, ollamaURL: ollamaURL, webuiPort: port, host: host)
                notes.write("# network: \(plan.reason)\n")
                if let refusal = plan.refusal { notes.write("# warning: \(refusal)\n") }
                output.write(
                    WebUIContainer.shellDisplay(
                        try WebUIContainer.argv(try WebUIContainer.settings(answers: answers, hostNetwork: plan.hostNetwork))))
            }
            return 0
        } catch {
            let source = answersPath ?? config.resolvedStatePath
            notes.write("phase0: \(source): cannot render \(artifact == .unit ? "the unit" : "the docker command"): \(error)\n")
            return ExitStatus.badInput
        }
    }

    static func validated(_ key: String, _ outcome: Validate.Outcome) throws -> String {
        switch outcome {
        case .success(let value): return value
        case .failure(let failure): throw ValidationFailure("\(key): \(failure.reason)")
        }
    }
}
