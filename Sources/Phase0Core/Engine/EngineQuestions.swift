import Phase0Parsers

/// Asking for values: answers file, saved answers, defaults with -y, or the operator.
extension Engine {
    // MARK: - Questions

    func wantsOptionalStep(_ optional: OptionalStep, step: Step) throws -> Bool {
        if let given = answersFile[optional.answerKey] ?? context.progress.answers[optional.answerKey] {
            guard let parsed = YesNo.parse(given).map(YesNo.word) else {
                throw RunOutcome.failed("\(optional.answerKey)=\"\(given)\" must be yes or no")
            }
            context.progress.answers[optional.answerKey] = parsed
            return parsed == "yes"
        }
        if context.options.assumeYes || context.options.dryRun {
            context.progress.answers[optional.answerKey] = "yes"
            return true
        }
        let keys: [PromptKey] = [.yes, .no, .skip, .explain, .help, .quit]
        while true {
            switch try askKey(optional.question, keys, endOfInput: "end of input at: \(optional.question)") {
            case .yes:
                context.progress.answers[optional.answerKey] = "yes"
                try save()
                return true
            case .no, .skip:
                // No to an optional step is skipping it: say so, it can be taken up later.
                context.progress.answers[optional.answerKey] = "no"
                try save()
                return false
            case .explain: explain(step)
            case .help: say(Messages.promptHelp(keys))
            case .quit: throw RunOutcome.stopped("you quit at: \(optional.question)")
            case nil: say(PromptKey.reask(keys))
            }
        }
    }

    /// The question's validator, plus one rule for every answer: phase0 never needs a secret,
    /// so a value that looks like one (an auth key, a token) is refused rather than stored in
    /// the resume file.
    static func validateAnswer(_ question: Question, _ raw: String, _ context: StepContext) -> Result<String, ValidationFailure> {
        if let kind = Redactor.secretKind(in: raw) {
            return .failure(
                .init(
                    "this looks like a secret (\(kind)); no answer of this procedure is a secret, and phase0 never stores one. Give the value the question asks for"
                ))
        }
        return question.validate(raw, context)
    }

    func validate(_ question: Question, _ raw: String) -> Result<String, ValidationFailure> {
        Engine.validateAnswer(question, raw, context)
    }

    func resolve(_ question: Question) throws {
        if let given = answersFile[question.key] {
            switch validate(question, given) {
            case .success(let value):
                // The answers file gives it again on resume: saved with the next save.
                context.progress.answers[question.key] = value
                saveLater()
                return
            case .failure(let failure):
                let hint = failure.confirmation == nil ? "" : " (phase0 accepts this value only when you confirm it yourself at the prompt)"
                throw InputFileError(path: answersPath, problem: "\"\(question.key)\": \(failure.reason)\(hint)")
            }
        }
        if let saved = context.progress.answers[question.key] {
            switch validate(question, saved) {
            case .success(let value):
                context.progress.answers[question.key] = value
                return
            case .failure(let failure) where failure.confirmation?.value == saved:
                // A value taken only when confirmed in person (root as the agent's user) is
                // confirmed again in person: the resume file saying so is not the operator
                // saying so, and -y never says so.
                say("The saved answer for \"\(question.key)\" is \(saved): \(failure.reason)")
                if let confirmation = failure.confirmation, try confirmed(confirmation.question) { return }
                context.progress.answers[question.key] = nil
            case .failure:
                say("The saved answer for \"\(question.key)\" no longer fits this machine; asking again.")
                // The refused value is no default: the table's (or the machine's) is offered.
                context.progress.answers[question.key] = nil
            }
        }
        let fallback = question.defaultValue(context)
        if context.options.assumeYes || context.options.dryRun, let fallback {
            if case .success(let value) = validate(question, fallback) {
                // The same default again on resume (nothing changed since): saved with the next save.
                context.progress.answers[question.key] = value
                saveLater()
                say("\(question.prompt): \(value) (default)")
                return
            }
        }
        // No default fits this machine: -y never guesses; a person answers, or the run stops at
        // the end of input, naming the key the answers file may give instead.
        while true {
            let prompt = question.prompt + (fallback.map { " [\($0)]" } ?? "") + ": "
            guard let raw = try ask(prompt, completion: question.completion) else {
                throw RunOutcome.stopped(
                    "end of input while asking for \(question.key)"
                        + (fallback == nil ? " (no default fits this machine: give \"\(question.key)\" in the answers file)" : ""))
            }
            let typed = raw.trimmingWhitespace()
            if typed == "?" {
                say(
                    question.help + " (Enter takes the value in brackets; Tab completes"
                        + (question.completion == .paths && host.pathCompleter != nil ? " paths of the simulated Spark" : "") + ".)")
                output.write(Glossary.explainTerms(in: question.prompt + " " + question.help, indent: ""))
                continue
            }
            guard let candidate = typed.isEmpty ? fallback : raw else {
                say("A value is required. " + question.help)
                continue
            }
            switch validate(question, candidate) {
            case .success(let value):
                if !typed.isEmpty { reader.accepted(raw) }
                context.progress.answers[question.key] = value
                try save()
                return
            case .failure(let failure):
                say("Not accepted: \(failure.reason)")
                // Some values are allowed only when the operator says so in person (-y does not).
                if let confirmation = failure.confirmation, try confirmed(confirmation.question) {
                    reader.accepted(raw)
                    context.progress.answers[question.key] = confirmation.value
                    try save()
                    return
                }
            }
        }
    }

    func confirmed(_ question: String) throws -> Bool {
        let keys: [PromptKey] = [.yes, .no]
        while true {
            if let key = try askKey(question, keys, menu: "[y/n]", endOfInput: "end of input at: \(question)") {
                return key == .yes
            }
            say(PromptKey.reask(keys))
        }
    }

    /// Asks `question` with the menu of `keys` (or a shorter `menu`); nil for an answer that is
    /// none of them (the caller says so and asks again). End of input stops the run: it is
    /// never an answer.
    func askKey(_ question: String, _ keys: [PromptKey], menu: String? = nil, endOfInput: String) throws -> PromptKey? {
        guard let raw = try ask("\(question) \(menu ?? PromptKey.menu(keys)): ", completion: PromptKey.completion(keys)) else {
            throw RunOutcome.stopped(endOfInput)
        }
        let key = PromptKey.parse(raw, among: keys)
        if key != nil { reader.accepted(raw) }
        return key
    }

    /// Every prompt goes through here: the first one of a run says how prompts work.
    func ask(_ prompt: String, completion: Completion) throws -> String? {
        if !promptHintShown {
            promptHintShown = true
            sayProse(
                "(At any prompt: ? gives help, Tab completes"
                    + (host.pathCompleter != nil ? "; in practice Tab sees the simulated Spark's files, not this computer's" : "") + ".)")
        }
        // readline redraws a prompt wider than the terminal badly: all but its last line is said.
        var lines = Self.promptLines(prompt, width: presentation.width)
        let last = lines.removeLast()
        for line in lines { say(line) }
        return try reader.readLine(prompt: last, completion: completion)
    }

    /// `prompt` filled to `width` columns, each line with the prompt's own indent; the last
    /// keeps the trailing space the answer is typed after.
    static func promptLines(_ prompt: String, width: Int) -> [String] {
        guard prompt.count > width - 1 else { return [prompt] }
        let indent = String(prompt.prefix { $0 == " " })
        let text = prompt.dropFirst(indent.count)
        // The key menu (`[y]es / [n]o ...`) stays whole on the prompt line when it fits there.
        if let menu = text.firstRange(of: " [y]es") ?? text.firstRange(of: " ([e]xplain"),
            indent.count + text[menu.upperBound...].count + 6 < width
        {
            let keys = String(text[text.index(after: menu.lowerBound)...])
            return TextLayout.fill(String(text[..<menu.lowerBound]), width: width - 1, indent: indent) + [indent + keys]
        }
        var lines = TextLayout.fill(String(text), width: width - 1, indent: indent)
        lines[lines.count - 1] += " "
        return lines
    }
}
