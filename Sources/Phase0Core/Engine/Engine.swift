import Phase0Parsers

/// An action cannot be done safely here: the run ends failed, or at the gate when the step
/// refused exists to open it (Engine.run decides which).
struct Refused: Error { var reason: String }
/// Not an ending: the operator skipped an optional step at a confirmation.
struct SkipStep: Error {}

/// The state machine over the procedure. Steps run in order; a step starts only when the one
/// before is done (or skipped, where the guide allows). Before and after every action the
/// progress is saved, so a cut at any instant resumes with a re-check of what was in flight.
public final class Engine {
    let steps: [Step]
    let context: StepContext
    let reader: LineReader
    let store: StateStore?
    let transcript: Transcript?
    let answersFile: [String: String]
    let answersPath: String
    let clock: () -> String
    /// Asked before Step 0 (the operator's account when phase0 runs as root).
    let prelude: [Question]
    let sudo: SudoGate
    /// Said after "Phase 0 complete" (what the procedure does not do, how to stay current).
    let epilogue: ((StepContext) -> String?)?
    var output: Output { context.output }
    var host: Host { context.host }
    var inFlight: (step: Int, action: String)?
    var currentStep: Step?

    public init(
        steps: [Step], host: Host, output: Output, reader: LineReader, progress: Progress,
        store: StateStore?, transcript: Transcript?, answersFile: [String: String] = [:],
        answersPath: String = "answers file", options: RunOptions, clock: @escaping () -> String,
        prelude: [Question] = [], sudo: SudoGate = SudoGate(),
        epilogue: ((StepContext) -> String?)? = nil
    ) {
        self.epilogue = epilogue
        self.steps = steps
        context = StepContext(host: host, output: output, progress: progress, options: options)
        context.presetAnswers = answersFile
        self.reader = reader
        self.store = options.dryRun ? nil : store
        self.transcript = options.dryRun ? nil : transcript
        self.answersFile = answersFile
        self.answersPath = answersPath
        self.clock = clock
        self.prelude = prelude
        self.sudo = sudo
    }

    public var progress: Progress { context.progress }

    public func run() -> RunOutcome {
        do {
            try banner()
            for question in prelude { try resolve(question) }
            for step in steps {
                context.stepNumber = step.number
                currentStep = step
                if let gate = step.gate { try pass(gate) }
                try runStep(step)
            }
            if context.options.dryRun {
                // Nothing ran, so nothing is verified: never claim completion after a dry run.
                say("\nDry run finished: every command above was printed, none was run, nothing was saved.")
            } else {
                say("\nPhase 0 complete: all steps done and verified.")
                if let epilogue, let text = epilogue(context) { say(text) }
            }
            return .complete
        } catch let refusal as Refused {
            markFailed(refusal.reason)
            say("\nphase0 will not continue: \(refusal.reason)")
            // The step that opens a gate cannot be done safely here (Step 0: no room, wrong
            // filesystem, a file it did not make): a stop at the gate (exit 3), said as such.
            if let opens = currentStep?.opens {
                if let closed = opens.closedBecause(context) { say(closed) }
                say(Messages.progressKept(store?.path))
                return .gate(refusal.reason)
            }
            say(Messages.progressKept(store?.path))
            return .failed(refusal.reason)
        } catch let unsaved as StateWriteError {
            // Nothing after the last good save is recorded; the next run re-checks from there.
            say("\nFAILED: \(unsaved)")
            say(
                "Fix that (free space, permissions), then run phase0 again: it resumes from the last progress it could save, re-checking what came after."
            )
            return .failed(unsaved.description)
        } catch let interrupt as Interrupted {
            let cause = InterruptFlag.cause
            if interrupt.duringCommand, let inFlight {
                record(step: inFlight.step, action: inFlight.action) {
                    $0.status = .interrupted
                    $0.note = "\(cause) while its command ran; outcome unknown, re-checked on resume"
                }
                try? save()  // best effort: the run ends here either way, and resume re-checks
            }
            say(
                "\nInterrupted."
                    + (interrupt.duringCommand ? " The running command's outcome is unknown; it will be re-checked first on resume." : ""))
            if InterruptFlag.notCtrlC { say("(\(cause) stopped phase0, as Ctrl-C would.)") }
            say(Messages.progressKept(store?.path))
            return .interrupted
        } catch {
            let outcome = RunOutcome(error)
            switch outcome {
            case .stopped(let reason): say("\nStopped: \(reason)")
            case .gate(let explanation): say("\n" + explanation)
            case .badInput: say("\nphase0: \(error)")
            case .failed(let reason):
                // A step phase0 failed says so in the resume file (an unexpected error may not
                // even reach the step's record, so only these).
                if error is RunOutcome { markFailed(reason) }
                say("\nFAILED: \(reason)")
                // Whatever failed in the step that opens the gate, while it is closed the run
                // stops at the gate (exit 3) and says what to do, as every other stop under 64G does.
                if let closed = currentStep?.opens?.closedBecause(context) {
                    say(closed)
                    say(Messages.progressKept(store?.path))
                    return .gate(reason)
                }
            case .complete, .locked, .interrupted: break
            }
            say(Messages.progressKept(store?.path))
            return outcome
        }
    }

    /// The step that stopped on a refusal or a failure says so, with the reason, in the resume
    /// file: `phase0 status` then shows "failed" and why, not "in-progress" with no note. The
    /// first reason recorded stays (an action's failure, then the run's ending on it).
    func markStepFailed(_ reason: String) throws {
        updateStep(context.stepNumber) {
            guard $0.status != .failed else { return }
            $0.status = .failed
            $0.note = reason
        }
        try save()
    }

    func markFailed(_ reason: String) {
        try? markStepFailed(reason)  // best effort: the run is ending on this failure, which is said on screen
    }

    // MARK: - Steps

    func banner() throws {
        say("phase0: make Vybn always-on, following \"Phase 0: Make Vybn Always-On\".")
        if host.isPractice {
            say(Messages.practiceBanner(host.name))
        } else {
            say("Machine: \(host.name) (LIVE: commands change this machine; each change is shown and asked first).")
        }
        if context.options.dryRun { say(Messages.dryRunBanner) }
        if let store { say("Progress is saved after every action in \(store.path).") }
        try save()
    }

    func runStep(_ step: Step) throws {
        let record = context.progress.step(step.number) ?? StepRecord(number: step.number)
        say("\n== Step \(step.number) of \(steps.count - 1): \(step.title)\(step.optional == nil ? "" : " (optional)") ==")
        switch record.status {
        case .skipped:
            say("Skipped earlier. (To do it after all: phase0 reset, or answer again with --answers.)")
            return
        case .done:
            let checks = try step.verify(context)
            try stopIfInterrupted()
            if checks.allSatisfy(\.ok) {
                say("[done] verified again: " + summary(checks))
                return
            }
            say("This step was done, but now: " + summary(checks.filter { !$0.ok }) + ". Doing it again.")
        case .pending, .inProgress, .failed:
            break
        }
        say(step.why)
        if let optional = step.optional, try !wantsOptionalStep(optional) { return try skipped(step) }
        for question in step.questions { try resolve(question) }
        for line in step.report(context) { say("  " + line) }

        // Only a step phase0 has not started may be found done as a whole. One it started (cut,
        // interrupted or failed part-way) goes on action by action, each checked first so nothing
        // done is redone: a step's verify does not cover everything its actions do (Step 3's
        // first-account warning must still come before Step 4 exposes the page), and every
        // action gets its record, as in a run that was never cut.
        if record.status == .pending {
            let before = try step.verify(context)
            try stopIfInterrupted()
            if before.allSatisfy(\.ok) {
                updateStep(step.number) {
                    $0.status = .done
                    $0.note = "already done: " + summary(before)
                }
                try save()
                say("[done] already done: " + summary(before))
                return
            }
        }
        updateStep(step.number) { $0.status = .inProgress }
        try save()
        do {
            for action in step.actions where action.applies(context) {
                try perform(action, in: step)
            }
        } catch is SkipStep {
            return try skipped(step)
        }
        if context.options.dryRun {
            say("(dry run) Step \(step.number) would be verified here.")
            return
        }
        let after = try step.verify(context)
        try stopIfInterrupted()
        guard after.allSatisfy(\.ok) else {
            let failing = summary(after.filter { !$0.ok })
            try markStepFailed("verification failed: " + failing)
            throw RunOutcome.failed("Step \(step.number) did not verify: \(failing)")
        }
        updateStep(step.number) {
            $0.status = .done
            $0.note = summary(after)
        }
        try save()
        say("[done] Step \(step.number) verified: " + summary(after))
    }

    /// The operator skipped a step, or one action of it: recorded, saved, said.
    func skipped(_ step: Step, action: Action? = nil) throws {
        let note = "skipped by the operator"
        if let action {
            record(action.id) {
                $0.status = .skipped
                $0.note = note
            }
        } else {
            updateStep(step.number) {
                $0.status = .skipped
                $0.note = note
            }
        }
        try save()
        say(action.map { "  [skipped] \($0.title)" } ?? "[skipped] Step \(step.number).")
    }

    func summary(_ checks: [Check]) -> String {
        checks.map { $0.detail.isEmpty ? $0.label : "\($0.label) (\($0.detail))" }.joined(separator: "; ")
    }

    // MARK: - The gate

    func pass(_ gate: Gate) throws {
        guard let explanation = gate.closedBecause(context) else { return }
        if context.options.dryRun {
            say("(dry run) " + explanation + "\n(dry run) Continuing the listing as if Step 0 had succeeded.")
            return
        }
        throw RunOutcome.gate(explanation)
    }

    // MARK: - Records

    func record(_ id: String, _ change: (inout ActionRecord) -> Void) {
        record(step: context.stepNumber, action: id, change)
    }

    func record(step: Int, action id: String, _ change: (inout ActionRecord) -> Void) {
        context.progress.updateStep(step) { $0.updateAction(id, change) }
    }

    func updateStep(_ number: Int, _ change: (inout StepRecord) -> Void) {
        context.progress.updateStep(number, change)
    }

    func save() throws {
        if let snapshot = host.snapshot { context.progress.machine = snapshot }
        context.progress.updatedAt = clock()
        try store?.save(context.progress)
        FaultInjection.reached("save")
    }

    func say(_ text: String) { output.write(text + "\n") }
}

func indent(_ text: String, by spaces: Int) -> String {
    let pad = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}
