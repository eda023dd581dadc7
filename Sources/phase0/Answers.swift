import ArgumentParser
import Phase0Core
import Phase0Steps

/// `phase0 answers [show]` / `phase0 answers set KEY VALUE`: the values a run uses, and a way
/// to change one between runs, validated as at its prompt.
struct Answers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the values the run uses (and where each came from), or change one.",
        discussion:
            "phase0 answers set KEY VALUE validates VALUE as the prompt would; when the step that uses it is already done, it says which step to redo (phase0 run --step N)."
    )

    @OptionGroup var stateOptions: StateOptions
    @Argument(help: "show (the default) or set") var verb: String = "show"
    @Argument(help: "With set: the key and its new value.") var keyAndValue: [String] = []

    func validate() throws {
        switch verb {
        case "show": if !keyAndValue.isEmpty { throw ValidationError("answers show takes no key; use answers set KEY VALUE") }
        case "set": if keyAndValue.count != 2 { throw ValidationError("usage: phase0 answers set KEY VALUE") }
        default: throw ValidationError("\"\(verb)\": use answers show, or answers set KEY VALUE")
        }
    }

    func run() throws {
        let config = try stateOptions.config()
        let status =
            verb == "set"
            ? AnswersEditor.set(
                config, procedure: Procedure.definition(), key: keyAndValue[0], value: keyAndValue[1], output: StandardOutput())
            : AnswersEditor.show(config, procedure: Procedure.definition(), output: StandardOutput())
        if status != 0 { throw ExitCode(status) }
    }
}
