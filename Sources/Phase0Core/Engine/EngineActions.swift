import Phase0Parsers

/// Performing one action: check first, then show, confirm, journal, run, check again.
extension Engine {
    // MARK: - Actions

    func perform(_ action: Action, in step: Step) throws {
        let point = "\(step.number):\(action.id)"
        FaultInjection.reached(point + ":before")
        try stopIfInterrupted()
        // Root probes in the check need sudo's ticket too, so ask before the first check.
        if !context.options.dryRun { try sudo.ensure(host: host, output: output) }
        try performChecked(action, in: step)
        FaultInjection.reached(point + ":after")
    }

    /// A signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) stops the run between actions and commands
    /// too, not only at a prompt or while a command runs: a `-y` run has neither for long.
    /// What a check saw after the signal is not trusted either (its probe may have been cut).
    func stopIfInterrupted() throws {
        if InterruptFlag.isRaised { throw Interrupted(duringCommand: inFlight != nil) }
    }

    func performChecked(_ action: Action, in step: Step) throws {
        let previous = context.record(of: action.id)
        if let status = previous?.status, status == .inFlight || status == .interrupted {
            say("Resuming: \"\(action.title)\" was in flight when phase0 stopped; re-checking it before anything else.")
        }
        let seen = try action.check(context)
        try stopIfInterrupted()
        if seen.ok, let status = previous?.status, status == .done || status == .alreadyDone {
            // Finished earlier: its record keeps what was seen when it finished.
            sayLine("  [ok] \(action.title)" + (seen.detail.isEmpty ? "" : ": \(seen.detail)"))
            return
        }
        if seen.ok {
            let ranBefore = (previous?.attempts ?? 0) > 0
            // A creation cut in flight, now found complete by its check: record what is there.
            if let made = previous?.made, made.inode == nil, made.size == nil { noteIdentity(of: made.path, for: action) }
            record(action.id) {
                $0.status = ranBefore ? .done : .alreadyDone
                $0.note = seen.detail
                $0.finishedAt = $0.finishedAt ?? self.clock()
            }
            saveLater()
            // A change with nothing to do is said as such: "[ok]" would read as if phase0 had
            // acted. An operator's task or observation found in place is simply ok.
            var changesMachine = false
            if case .commands = action.kind { changesMachine = true }
            sayLine(
                (ranBefore || !changesMachine ? "  [ok] " : "  [not needed] ") + action.title
                    + (seen.detail.isEmpty ? "" : ": \(seen.detail)"))
            return
        }
        if let reason = action.refuse(context) { throw Refused(reason: reason) }
        switch action.kind {
        case .commands(let make):
            // The title first: making the commands may explain what they will act on.
            sayLine("\n  -> \(action.title)")
            try runCommands(try make(context), of: action, in: step)
        case .operatorTask(let instruction):
            try waitForOperator(instruction(context), action: action, in: step)
        case .observation(let question, let key):
            try observe(question, key: key, action: action)
        }
    }

    func runCommands(_ commands: [Command], of action: Action, in step: Step) throws {
        if let planned = try action.plannedFile(context) {
            if let old = planned.oldContent {
                say(indent(LineDiff.render(old: old, new: planned.newContent, path: planned.path), by: 5))
            } else {
                say("     New file \(planned.path):")
                say(indent(planned.newContent, by: 7))
            }
        }
        let invoker = host.invoker
        say("     Will run:")
        for command in commands {
            say(
                TextLayout.command(
                    command.display(invoker: invoker), argv: command.effectiveArgv(invoker: invoker),
                    prefix: "       $ ", width: presentation.width))
        }
        if context.options.dryRun {
            say("     (dry run: not run)")
            return
        }
        if commands.contains(where: { $0.effect == .change }) {
            switch try confirm(action: action, step: step, commands: commands) {
            case .proceed: break
            case .skipAction:
                record(action.id) {
                    $0.status = .skipped
                    $0.note = "skipped by the operator"
                }
                try save()
                sayLine("  [skipped] \(action.title)")
                return
            }
        }
        // What the commands create is recorded before they run: a cut while they run leaves
        // the path, which says phase0 found it absent and was making it.
        let created = try action.creates?(context)
        record(action.id) {
            $0.status = .inFlight
            $0.attempts += 1
            $0.startedAt = self.clock()
            $0.finishedAt = nil
            if let created { $0.made = MadeFile(path: created) }
        }
        inFlight = (context.stepNumber, action.id)
        try save()
        for (index, command) in commands.enumerated() {
            let point = "\(step.number):\(action.id):command-\(index + 1)"
            FaultInjection.reached(point)
            try stopIfInterrupted()
            transcript?.started(command.display(invoker: invoker), at: clock())
            let result: CommandResult
            do {
                result = try host.run(command) { [output] chunk in output.write(chunk) }
            } catch let interrupt as Interrupted {
                transcript?.append("[\(clock())] interrupted (\(InterruptFlag.cause)); outcome unknown\n")
                throw interrupt
            } catch {
                transcript?.append("[\(clock())] could not start: \(error)\n")
                try fail(action, "could not run `\(command.display(invoker: invoker))`: \(error)")
            }
            FaultInjection.reached(point + "-ran")
            transcript?.finished(result, at: clock())
            recordCommand(command, result, of: action)
            if !result.succeeded {
                if !command.streamsOutput && !result.output.isEmpty { say(indent(result.output, by: 7)) }
                let why = result.timedOut ? "timed out" : "exited with status \(result.exitStatus)"
                try fail(action, "`\(command.display(invoker: invoker))` \(why)")
            }
        }
        noteIdentity(of: created, for: action)
        let after = try action.check(context)
        try stopIfInterrupted()
        guard after.ok else {
            try fail(action, "\(action.title): the commands ran, but the check still fails: \(after.detail)")
        }
        record(action.id) {
            $0.status = .done
            $0.note = after.detail
            $0.finishedAt = self.clock()
        }
        inFlight = nil
        try save()
        sayLine("  [done] \(action.title)" + (after.detail.isEmpty ? "" : ": \(after.detail)"))
    }

    /// Keeps the command with its result in the action's record (saved with the action).
    func recordCommand(_ command: Command, _ result: CommandResult, of action: Action) {
        let argv = command.effectiveArgv(invoker: host.invoker).map(Redactor.redact)
        let input = command.input.map(Redactor.redact)
        let time = clock()
        record(action.id) {
            let entry = CommandRecord(
                argv: argv, input: input, changes: command.effect == .change,
                exitStatus: result.timedOut ? 124 : result.exitStatus, at: time, attempt: $0.attempts)
            $0.commands = ($0.commands ?? []) + [entry]
        }
    }

    /// Records the identity (inode, size) of the file an action created, once its commands ran
    /// (or failed part-way): later runs re-check it before treating the file as phase0's.
    func noteIdentity(of path: String?, for action: Action) {
        guard let path else { return }
        let info = host.fileInfo(path)
        record(action.id) { $0.made = info.map { MadeFile(path: path, inode: $0.inode, size: $0.size) } }
    }

    func fail(_ action: Action, _ reason: String) throws -> Never {
        if let path = context.record(of: action.id)?.made?.path, context.record(of: action.id)?.status == .inFlight {
            noteIdentity(of: path, for: action)
        }
        record(action.id) {
            $0.status = .failed
            $0.note = reason
            $0.finishedAt = self.clock()
        }
        inFlight = nil
        try markStepFailed(reason)
        throw RunOutcome.failed(reason)
    }

    enum Decision { case proceed, skipAction }

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
            guard let raw = try ask("     Run this? \(PromptKey.menu(keys)): ", completion: PromptKey.completion(keys)) else {
                throw RunOutcome.stopped("end of input before \"\(action.title)\" was confirmed (end of input is never a yes)")
            }
            let key = PromptKey.parse(raw, among: keys)
            if key != nil { reader.accepted(raw) }
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
                guard let raw = try ask("     \(question) \(PromptKey.menu(keys)): ", completion: PromptKey.completion(keys)) else {
                    throw RunOutcome.stopped("end of input at: \(action.title)")
                }
                let key = PromptKey.parse(raw, among: keys)
                if key != nil { reader.accepted(raw) }
                switch key {
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
