import Phase0Parsers

/// Answers checked before anything runs or is created: the whole `--answers` file against the
/// rule of every question that will take a value from it, and the answers saved in the resume
/// file against what no answer may hold. A bad Step 3 value stops the run (exit 65) before
/// Step 0 changes anything, not after Steps 0–2.
enum AnswersCheck {
    /// Each value of the answers file, in the order the procedure asks for them (a later
    /// question's rule may read an earlier answer, as Step 3's port reads Ollama's URL).
    static func checkAnswersFile(
        _ answers: [String: String], path: String, procedure: ProcedureDefinition,
        host: Host, progress: Progress, options: RunOptions
    ) throws {
        guard !answers.isEmpty else { return }
        let context = StepContext(host: host, output: DiscardedOutput(), progress: progress, options: options)
        context.presetAnswers = answers
        var checked: Set<String> = []

        func take(_ key: String, _ rule: (String) -> Result<String, ValidationFailure>) throws {
            guard let given = answers[key], checked.insert(key).inserted else { return }
            switch rule(given) {
            case .success(let value):
                context.progress.answers[key] = value
            case .failure(let failure):
                let hint = failure.confirmation == nil ? "" : " (phase0 accepts this value only when you confirm it yourself at the prompt)"
                throw InputFileError(path: path, problem: "\"\(key)\": \(failure.reason)\(hint)")
            }
        }
        func question(_ question: Question) throws {
            try take(question.key) { Engine.validateAnswer(question, $0, context) }
        }

        for prelude in procedure.prelude(host, options) { try question(prelude) }
        for step in procedure.steps {
            context.stepNumber = step.number
            if let optional = step.optional { try take(optional.answerKey, yesOrNo) }
            for asked in step.questions { try question(asked) }
            for action in step.actions {
                if case .observation(_, let key) = action.kind { try take(key, yesOrNo) }
            }
        }
        for key in procedure.otherAnswerRules.keys.sorted() {
            if let rule = procedure.otherAnswerRules[key] { try take(key, rule) }
        }
    }

    /// Answers read back from the resume file: phase0 saves only validated values, so an
    /// unknown key, a control character or a secret-looking value means the file was edited
    /// or damaged. Each value is also re-validated by its question when it is used, as
    /// strictly as a typed one (Engine.resolve).
    static func checkSavedAnswers(_ progress: Progress, path: String, knownKeys: Set<String>) throws {
        for (key, value) in progress.answers.sorted(by: { $0.key < $1.key }) {
            guard knownKeys.contains(key) else {
                throw InputFileError(
                    path: path,
                    problem: "holds an answer for \"\(key)\", which no question of this phase0 asks; not a progress file phase0 wrote")
            }
            if let problem = answerValueProblem(value) {
                throw InputFileError(path: path, problem: "the saved answer \"\(key)\" \(problem); not a value phase0 would have saved")
            }
        }
    }
}

/// A yes/no answer as the engine reads it (y, yes, true; n, no, false).
public func yesOrNo(_ raw: String) -> Result<String, ValidationFailure> {
    guard let parsed = YesNo.parse(raw).map(YesNo.word) else { return .failure(ValidationFailure("must be yes or no, not \"\(raw)\"")) }
    return .success(parsed)
}

/// Where the words of a check that prints nothing go.
final class DiscardedOutput: Output {
    func write(_ text: String) {}
}
