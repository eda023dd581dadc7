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
    var answersFile: [String: String]
    let answersPath: String
    let clock: () -> String
    /// Asked before Step 0 (the operator's account when phase0 runs as root).
    let prelude: [Question]
    let sudo: SudoGate
    let texts: EngineTexts
    var output: Output { context.output }
    var host: Host { context.host }
    var inFlight: (step: Int, action: String)?
    /// Something was recorded with saveLater() and is not on disk yet.
    var pendingSave = false
    var currentStep: Step?
    /// How the run presents itself; the procedure's texts (overview, summary) come from Steps/.
    public var presentation = Presentation()
    var gateShownInDryRun = false
    var explainedSteps: Set<Int> = []
    var promptHintShown = false

    public init(
        steps: [Step], host: Host, output: Output, reader: LineReader, progress: Progress,
        store: StateStore?, transcript: Transcript?, answersFile: [String: String] = [:],
        answersPath: String = "answers file", options: RunOptions, clock: @escaping () -> String,
        prelude: [Question] = [], sudo: SudoGate = SudoGate(), texts: EngineTexts = .wizard
    ) {
        self.texts = texts
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
        // Whatever ends the run, nothing recorded stays unsaved (a failure to save here is
        // reported only on the way to "complete", below; the other endings already say why).
        defer { if pendingSave { try? save() } }
        do {
            let isNewRun = context.progress.steps.allSatisfy { $0.status == .pending && $0.actions.isEmpty }
            try banner()
            if isNewRun, let overview = presentation.overview, context.options.onlyStep == nil { sayProse(overview) }
            for question in prelude { try resolve(question) }
            try reviewAnswers()
            let selected = context.options.onlyStep.map { only in steps.filter { $0.number == only } } ?? steps
            for step in selected {
                context.stepNumber = step.number
                currentStep = step
                if let gate = step.gate { try pass(gate) }
                try runStep(step, redo: context.options.onlyStep != nil)
            }
            if pendingSave { try save() }
            try finish()
            return .complete
        } catch let refusal as Refused {
            markFailed(refusal.reason)
            say("\nphase0 will not continue: \(refusal.reason)")
            // The step that opens a gate cannot be done safely here (Step 0: no room, wrong
            // filesystem, a file it did not make): a stop at the gate (exit 3), said as such.
            if let opens = currentStep?.opens {
                if let closed = opens.closedBecause(context) { say(closed) }
                sayProse(progressKept)
                return .gate(refusal.reason)
            }
            sayProse(progressKept)
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
            sayProse(progressKept)
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
                    sayProse(progressKept)
                    return .gate(reason)
                }
            case .complete, .locked, .interrupted: break
            }
            sayProse(progressKept)
            return outcome
        }
    }

    // MARK: - Steps

    func runStep(_ step: Step, redo: Bool = false) throws {
        var record = context.progress.step(step.number) ?? StepRecord(number: step.number)
        let heading = step.name.map { "\($0): \(step.title)" } ?? "Step \(step.number) of \(steps.count - 1): \(step.title)"
        say("\n== \(heading)\(step.optional == nil ? "" : " (optional)") ==")
        // A skipped optional step is taken up again when the operator now says yes to it.
        if record.status == .skipped, let optional = step.optional, redo || answersFile[optional.answerKey].flatMap(yesNo) == "yes" {
            context.progress.answers[optional.answerKey] = redo ? nil : "yes"
            updateStep(step.number) {
                $0.status = .pending
                $0.note = nil
            }
            record.status = .pending
        }
        if redo && record.status == .done { record.status = .inProgress }
        switch record.status {
        case .skipped:
            let mode = host.isPractice ? " --practice" : ""
            say(
                "Skipped earlier. To do it after all: phase0\(mode) run --step \(step.number)"
                    + (step.optional.map { " (or --answers with \"\($0.answerKey)\": \"yes\")" } ?? "") + ".")
            return
        case .done:
            let checks = try step.verify(context)
            try stopIfInterrupted()
            if checks.allSatisfy(\.ok) {
                if let onVerified = step.onVerified {
                    onVerified(context)
                    try save()
                }
                sayChecks("[done] verified again:", checks)
                return
            }
            sayChecks("This step was done, but now it is not; doing it again:", checks.filter { !$0.ok })
        case .pending, .inProgress, .failed:
            break
        }
        sayProse(step.why)
        // Facts before questions: the operator sees the machine (memory, swap) before choosing.
        let facts = step.report(context)
        for line in facts { sayLine("  " + line) }
        if let optional = step.optional, try !wantsOptionalStep(optional, step: step) { return try skipped(step) }
        for question in step.questions { try resolve(question) }
        for line in step.report(context) where !facts.contains(line) { sayLine("  " + line) }

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
                try saveVerified(step)
                sayChecks("[done] already done:", before)
                return
            }
        }
        updateStep(step.number) { $0.status = .inProgress }
        saveLater()
        do {
            for action in step.actions where action.applies(context) {
                try perform(action, in: step)
            }
        } catch is SkipStep {
            return try skipped(step)
        }
        if context.options.dryRun {
            say("(dry run) \(step.displayName) would be verified here.")
            return
        }
        let after = try step.verify(context)
        try stopIfInterrupted()
        guard after.allSatisfy(\.ok) else {
            let failing = summary(after.filter { !$0.ok })
            try markStepFailed("verification failed: " + failing)
            throw RunOutcome.failed("\(step.displayName) did not verify: \(failing)")
        }
        updateStep(step.number) {
            $0.status = .done
            $0.note = summary(after)
        }
        try saveVerified(step)
        sayChecks("[done] \(step.displayName) verified:", after)
    }

    // MARK: - The gate

    func pass(_ gate: Gate) throws {
        guard let explanation = gate.closedBecause(context) else { return }
        if context.options.dryRun {
            // Said once, where a real run would stop; the listing goes on to the end.
            if !gateShownInDryRun {
                sayProse(
                    "(dry run) A real run would stop here, before Step \(context.stepNumber):\n" + explanation
                        + "\n(dry run) The listing goes on as if Step 0 had succeeded.")
                gateShownInDryRun = true
            }
            return
        }
        throw RunOutcome.gate(explanation)
    }
}

func indent(_ text: String, by spaces: Int) -> String {
    let pad = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}
