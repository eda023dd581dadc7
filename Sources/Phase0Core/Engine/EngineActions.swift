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
        if let seconds = action.settleSeconds {
            say("     then waits up to \(seconds) s until the check passes")
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
        var after = try action.check(context)
        try stopIfInterrupted()
        if !after.ok, let seconds = action.settleSeconds { after = try settle(action, seconds: seconds, from: after) }
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

    /// Re-checks every quarter second for up to `seconds` until the check passes; the last
    /// check is returned either way. Said on screen and in the transcript, as a command is.
    func settle(_ action: Action, seconds: Int, from first: Check) throws -> Check {
        var seen = first
        say("     Waiting up to \(seconds) s for: \(seen.label)")
        transcript?.append("[\(clock())] waiting up to \(seconds) s for: \(seen.label)\n")
        for _ in 0..<(seconds * 4) where !seen.ok {
            host.pause(seconds: 0.25)
            try stopIfInterrupted()
            seen = try action.check(context)
        }
        transcript?.append("[\(clock())] \(seen.ok ? "came true" : "still not true"): \(seen.label)\n")
        return seen
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

}
