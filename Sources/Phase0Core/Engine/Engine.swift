import Phase0Parsers
/// How a run ended; the executable maps each to the documented exit code.
public enum RunOutcome: Equatable {
    case complete
    /// A command or a verification failed; progress kept (exit 1).
    case failed(String)
    /// Stopped at the swap gate (exit 3).
    case gate(String)
    /// The operator said no or quit, or input ended (exit 130).
    case stopped(String)
    /// Ctrl-C (exit 130).
    case interrupted
    /// An input file holds a value that cannot be used (exit 65).
    case badInput(String)
}

struct StopRequested: Error { var reason: String }
struct StepFailed: Error { var reason: String }
struct Refused: Error { var reason: String }
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

    public init(steps: [Step], host: Host, output: Output, reader: LineReader, progress: Progress,
                store: StateStore?, transcript: Transcript?, answersFile: [String: String] = [:],
                answersPath: String = "answers file", options: RunOptions, clock: @escaping () -> String,
                prelude: [Question] = [], sudo: SudoGate = SudoGate(),
                epilogue: ((StepContext) -> String?)? = nil) {
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
        } catch let stop as StopRequested {
            say("\nStopped: \(stop.reason)")
            say(Messages.progressKept(store?.path))
            return .stopped(stop.reason)
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
        } catch let gate as GateClosed {
            say("\n" + gate.explanation)
            say(Messages.progressKept(store?.path))
            return .gate(gate.explanation)
        } catch let failure as StepFailed {
            markFailed(failure.reason)
            say("\nFAILED: \(failure.reason)")
            // Whatever failed in the step that opens the gate, while it is closed the run stops
            // at the gate (exit 3) and says what to do, as every other stop under 64G does.
            if let closed = currentStep?.opens?.closedBecause(context) {
                say(closed)
                say(Messages.progressKept(store?.path))
                return .gate(failure.reason)
            }
            say(Messages.progressKept(store?.path))
            return .failed(failure.reason)
        } catch let unsaved as StateWriteError {
            // Nothing after the last good save is recorded; the next run re-checks from there.
            say("\nFAILED: \(unsaved)")
            say("Fix that (free space, permissions), then run phase0 again: it resumes from the last progress it could save, re-checking what came after.")
            return .failed(unsaved.description)
        } catch let bad as InputFileError {
            say("\nphase0: \(bad)")
            say(Messages.progressKept(store?.path))
            return .badInput(bad.description)
        } catch let interrupt as Interrupted {
            if interrupt.duringCommand, let inFlight {
                record(step: inFlight.step, action: inFlight.action) {
                    $0.status = .interrupted
                    $0.note = "Ctrl-C while its command ran; outcome unknown, re-checked on resume"
                }
                try? save()
            }
            say("\nInterrupted." + (interrupt.duringCommand ? " The running command's outcome is unknown; it will be re-checked first on resume." : ""))
            say(Messages.progressKept(store?.path))
            return .interrupted
        } catch {
            say("\nFAILED: \(error)")
            say(Messages.progressKept(store?.path))
            return .failed("\(error)")
        }
    }

    /// The step that stopped on a refusal or a failure says so, with the reason, in the resume
    /// file: `phase0 status` then shows "failed" and why, not "in-progress" with no note.
    func markFailed(_ reason: String) {
        updateStep(context.stepNumber) {
            guard $0.status != .failed else { return }
            $0.status = .failed
            $0.note = reason
        }
        try? save()
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
            if checks.allSatisfy(\.ok) {
                say("[done] verified again: " + summary(checks))
                return
            }
            say("This step was done, but now: " + summary(checks.filter { !$0.ok }) + ". Doing it again.")
        case .pending, .inProgress, .failed:
            break
        }
        say(step.why)
        if let optional = step.optional, try !wantsOptionalStep(optional) {
            updateStep(step.number) {
                $0.status = .skipped
                $0.note = "skipped by the operator"
            }
            try save()
            say("[skipped] Step \(step.number).")
            return
        }
        for question in step.questions { try resolve(question) }
        for line in step.report(context) { say("  " + line) }

        // Only a step phase0 has not started may be found done as a whole. One it started (cut,
        // interrupted or failed part-way) goes on action by action, each checked first so nothing
        // done is redone: a step's verify does not cover everything its actions do (Step 3's
        // first-account warning must still come before Step 4 exposes the page), and every
        // action gets its record, as in a run that was never cut.
        if record.status == .pending {
            let before = try step.verify(context)
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
            updateStep(step.number) {
                $0.status = .skipped
                $0.note = "skipped by the operator"
            }
            try save()
            say("[skipped] Step \(step.number).")
            return
        }
        if context.options.dryRun {
            say("(dry run) Step \(step.number) would be verified here.")
            return
        }
        let after = try step.verify(context)
        guard after.allSatisfy(\.ok) else {
            let failing = summary(after.filter { !$0.ok })
            updateStep(step.number) {
                $0.status = .failed
                $0.note = "verification failed: " + failing
            }
            try save()
            throw StepFailed(reason: "Step \(step.number) did not verify: \(failing)")
        }
        updateStep(step.number) {
            $0.status = .done
            $0.note = summary(after)
        }
        try save()
        say("[done] Step \(step.number) verified: " + summary(after))
    }

    func summary(_ checks: [Check]) -> String {
        checks.map { $0.detail.isEmpty ? $0.label : "\($0.label) (\($0.detail))" }.joined(separator: "; ")
    }

    // MARK: - The gate

    struct GateClosed: Error { var explanation: String }

    func pass(_ gate: Gate) throws {
        guard let explanation = gate.closedBecause(context) else { return }
        if context.options.dryRun {
            say("(dry run) " + explanation + "\n(dry run) Continuing the listing as if Step 0 had succeeded.")
            return
        }
        throw GateClosed(explanation: explanation)
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

func yesNo(_ text: String) -> String? {
    switch text.trimmingWhitespace().lowercased() {
    case "y", "yes", "true": return "yes"
    case "n", "no", "false": return "no"
    default: return nil
    }
}

func indent(_ text: String, by spaces: Int) -> String {
    let pad = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}
