import Phase0Parsers

/// Where an action needs the operator: a confirmation before a change, the explanation behind
/// it, a task only they can do, and what only they can observe.
extension Engine {
    func confirm(action: Action, step: Step, commands: [Command]) throws -> Decision {
        let canSkip = action.skippable || step.optional != nil
        let consentKey = action.consentKey(context)
        if context.options.assumeYes {
            // -y never answers a destructive replacement: the answers file, or a person, must.
            if let key = consentKey {
                guard let given = answersFile[key].flatMap(YesNo.parse) else {
                    throw RunOutcome.failed(
                        "\(action.title): this stops or removes something phase0 did not start, and -y does not answer that. Set \"\(key)\": \"yes\" in the answers file to allow it, or run phase0 without -y and answer yourself"
                    )
                }
                guard given else { throw RunOutcome.stopped("the answers file says \(key)=no; nothing was run") }
                say("     Run this? yes (answers file: \(key)=yes)")
                return .proceed
            }
            say("     Run this? yes (--assume-yes)")
            return .proceed
        }
        if let key = consentKey {
            say("     This stops or removes something phase0 did not start (answers-file key: \(key)).")
        }
        let keys: [PromptKey] = canSkip ? [.yes, .no, .skip, .explain, .help, .quit] : [.yes, .no, .explain, .help, .quit]
        while true {
            let key = try askKey(
                "     Run this?", keys,
                endOfInput: "end of input before \"\(action.title)\" was confirmed (end of input is never a yes)")
            switch key {
            case .yes: return .proceed
            case .no where canSkip:
                // No is "don't run it": say what that means and let the operator choose.
                sayProse("     Not run. Without it: \(action.why)\n     [s]kip it and go on without it, or [q]uit (progress kept).")
            case .no:
                throw RunOutcome.stopped(
                    "you chose not to run \"\(action.title)\"; nothing was run. The step needs it (\(action.why)), so phase0 stops here")
            case .quit: throw RunOutcome.stopped("you quit before \"\(action.title)\"")
            case .skip:
                if step.optional != nil && !action.skippable { throw SkipStep() }
                return .skipAction
            case .explain: explain(step, action: action, commands: commands)
            case .help:
                say(Messages.promptHelp(keys))
                output.write(Glossary.explainTerms(in: action.title + " " + action.why + " " + step.manual))
            case nil: say("     " + PromptKey.reask(keys))
            }
        }
    }

    /// "explain": why, what exactly will run with the operator's values (pasteable), and the
    /// guide's manual text for the step, once per run.
    func explain(_ step: Step, action: Action? = nil, commands: [Command] = []) {
        if let action { sayProse("     Why: \(action.why)") }
        if !commands.isEmpty {
            say("     What phase0 will run here, with your values (this can be pasted into a shell):")
            for command in commands { say(indent(command.pasteable(invoker: host.invoker), by: 7)) }
        }
        if explainedSteps.insert(step.number).inserted {
            say("     The guide's manual way for the whole step (its values, not necessarily yours):")
            say(indent(step.manual, by: 7))
        } else {
            say("     (The guide's manual way for this step is shown above.)")
        }
        output.write(Glossary.explainTerms(in: (action.map { $0.title + " " + $0.why } ?? "") + " " + step.manual))
    }

    func waitForOperator(_ instruction: String, action: Action, in step: Step) throws {
        sayLine("\n  -> \(action.title)")
        say(indent(instruction, by: 5))
        if context.options.dryRun { return }
        while true {
            if context.options.assumeYes {
                let again = try action.check(context)
                if again.ok { break }
                throw RunOutcome.failed("\(action.title) needs you: \(instruction) (still: \(again.detail))")
            }
            let keys: [PromptKey] = [.explain, .help, .quit]
            guard
                let raw = try ask(
                    "     When done, press Enter to re-check (\(PromptKey.menu(keys))): ",
                    completion: PromptKey.completion(keys))
            else {
                throw RunOutcome.stopped("end of input while waiting for: \(action.title)")
            }
            if !raw.trimmingWhitespace().isEmpty {
                let key = PromptKey.parse(raw, among: keys)
                if key != nil { reader.accepted(raw) }
                switch key {
                case .quit: throw RunOutcome.stopped("you quit while waiting for: \(action.title)")
                case .explain:
                    explain(step, action: action)
                    continue
                case .help:
                    say(Messages.promptHelp(keys) + " Enter: re-check now.")
                    continue
                default:
                    say("     Press Enter when it is done, or " + PromptKey.reask(keys))
                    continue
                }
            }
            if let did = host.operatorTaskConfirmed(action.id) { say("     " + did) }
            let again = try action.check(context)
            if again.ok { break }
            say("     Not yet: \(again.detail)")
        }
        record(action.id) {
            $0.status = .done
            $0.finishedAt = self.clock()
        }
        try save()
        sayLine("  [done] \(action.title)")
    }

    func observe(_ question: String, key: String, action: Action) throws {
        sayLine("\n  -> \(action.title)")
        let answer: String
        if let given = answersFile[key] {
            guard let parsed = YesNo.parse(given).map(YesNo.word) else {
                throw RunOutcome.failed("the answers file gives \(key)=\"\(given)\"; it must be yes or no")
            }
            answer = parsed
            say("     \(question) \(answer) (from the answers file)")
        } else {
            if context.options.dryRun { return }
            // Practice has no lid and no phone: say plainly that the operator is asked to pretend.
            if host.isPractice { sayLine(Messages.practicePretend) }
            let keys: [PromptKey] = [.yes, .no, .explain, .help, .quit]
            var seen: String?
            while seen == nil {
                switch try askKey("     \(question)", keys, endOfInput: "end of input at: \(action.title)") {
                case .yes: seen = "yes"
                case .no: seen = "no"
                case .explain: sayProse("     Why: \(action.why)")
                case .help:
                    say(Messages.promptHelp(keys) + " Answer only what you saw yourself: this is not a confirmation.")
                    output.write(Glossary.explainTerms(in: question + " " + action.why))
                case .quit: throw RunOutcome.stopped("you quit at: \(action.title)")
                default: say("     " + PromptKey.reask(keys) + " (only what you saw yourself: this is not a confirmation)")
                }
            }
            answer = seen!
        }
        context.progress.answers[key] = answer
        record(action.id) {
            $0.status = answer == "yes" ? .done : .failed
            $0.note = "operator observed: \(answer)"
            $0.finishedAt = self.clock()
        }
        try save()
        if answer != "yes" {
            try fail(action, "\(action.title): not passed. \(action.why)")
        }
        sayLine("  [done] \(action.title)")
    }
}
