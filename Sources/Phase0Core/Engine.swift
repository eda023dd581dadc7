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
    private var output: Output { context.output }
    private var host: Host { context.host }
    private var inFlight: (step: Int, action: String)?

    public init(steps: [Step], host: Host, output: Output, reader: LineReader, progress: Progress,
                store: StateStore?, transcript: Transcript?, answersFile: [String: String] = [:],
                answersPath: String = "answers file", options: RunOptions, clock: @escaping () -> String,
                prelude: [Question] = [], sudo: SudoGate = SudoGate()) {
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
                if step.number >= 1 { try passGate() }
                try runStep(step)
            }
            say("\nPhase 0 complete: all steps done and verified.")
            return .complete
        } catch let stop as StopRequested {
            say("\nStopped: \(stop.reason)")
            say(Messages.progressKept(store?.path))
            return .stopped(stop.reason)
        } catch let refusal as Refused {
            markFailed(refusal.reason)
            say("\nphase0 will not continue: \(refusal.reason)")
            // Step 0 refused (no room, wrong filesystem...): exit 3 means "stopped at the swap
            // gate", so say what the gate is and that no later step runs without it.
            if context.stepNumber == 0 {
                let (verdict, problem) = SwapGate.measure(host)
                if !verdict.passes { say(Messages.gateClosed(verdict: verdict, problem: problem)) }
            }
            say(Messages.progressKept(store?.path))
            return context.stepNumber == 0 ? .gate(refusal.reason) : .failed(refusal.reason)
        } catch let gate as GateClosed {
            say("\n" + gate.explanation)
            say(Messages.progressKept(store?.path))
            return .gate(gate.explanation)
        } catch let failure as StepFailed {
            markFailed(failure.reason)
            say("\nFAILED: \(failure.reason)")
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
    private func markFailed(_ reason: String) {
        updateStep(context.stepNumber) {
            guard $0.status != .failed else { return }
            $0.status = .failed
            $0.note = reason
        }
        try? save()
    }

    // MARK: - Steps

    private func banner() throws {
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

    private func runStep(_ step: Step) throws {
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

    private func summary(_ checks: [Check]) -> String {
        checks.map { $0.detail.isEmpty ? $0.label : "\($0.label) (\($0.detail))" }.joined(separator: "; ")
    }

    // MARK: - The gate

    struct GateClosed: Error { var explanation: String }

    private func passGate() throws {
        let (verdict, problem) = SwapGate.measure(host)
        if verdict.passes { return }
        let explanation = Messages.gateClosed(verdict: verdict, problem: problem)
        if context.options.dryRun {
            say("(dry run) " + explanation + "\n(dry run) Continuing the listing as if Step 0 had succeeded.")
            return
        }
        throw GateClosed(explanation: explanation)
    }

    // MARK: - Actions

    private func perform(_ action: Action, in step: Step) throws {
        let point = "\(step.number):\(action.id)"
        FaultInjection.reached(point + ":before")
        // Root probes in the check need sudo's ticket too, so ask before the first check.
        if !context.options.dryRun { try sudo.ensure(host: host, output: output) }
        try performChecked(action, in: step)
        FaultInjection.reached(point + ":after")
    }

    private func performChecked(_ action: Action, in step: Step) throws {
        let previous = context.record(of: action.id)
        if let status = previous?.status, status == .inFlight || status == .interrupted {
            say("Resuming: \"\(action.title)\" was in flight when phase0 stopped; re-checking it before anything else.")
        }
        let seen = try action.check(context)
        if seen.ok, let status = previous?.status, status == .done || status == .alreadyDone {
            // Finished earlier: its record keeps what was seen when it finished.
            say("  [ok] \(action.title)" + (seen.detail.isEmpty ? "" : ": \(seen.detail)"))
            return
        }
        if seen.ok {
            let ranBefore = (previous?.attempts ?? 0) > 0
            record(action.id) {
                $0.status = ranBefore ? .done : .alreadyDone
                $0.note = seen.detail
                $0.finishedAt = $0.finishedAt ?? self.clock()
            }
            try save()
            say("  [ok] \(action.title)" + (seen.detail.isEmpty ? "" : ": \(seen.detail)"))
            return
        }
        if let reason = action.refuse(context) { throw Refused(reason: reason) }
        switch action.kind {
        case .commands(let make):
            // The title first: making the commands may explain what they will act on.
            say("\n  -> \(action.title)")
            try runCommands(try make(context), of: action, in: step)
        case .operatorTask(let instruction):
            try waitForOperator(instruction(context), action: action, in: step)
        case .observation(let question, let key):
            try observe(question, key: key, action: action)
        }
    }

    private func runCommands(_ commands: [Command], of action: Action, in step: Step) throws {
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
        for command in commands { say("       $ " + command.display(invoker: invoker)) }
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
                say("  [skipped] \(action.title)")
                return
            }
        }
        record(action.id) {
            $0.status = .inFlight
            $0.attempts += 1
            $0.startedAt = self.clock()
            $0.finishedAt = nil
        }
        inFlight = (context.stepNumber, action.id)
        try save()
        for (index, command) in commands.enumerated() {
            let point = "\(step.number):\(action.id):command-\(index + 1)"
            FaultInjection.reached(point)
            transcript?.started(command.display(invoker: invoker), at: clock())
            let result: CommandResult
            do {
                result = try host.run(command) { [output] chunk in output.write(chunk) }
            } catch let interrupt as Interrupted {
                transcript?.append("[\(clock())] interrupted (Ctrl-C); outcome unknown\n")
                throw interrupt
            } catch {
                transcript?.append("[\(clock())] could not start: \(error)\n")
                try fail(action, "could not run `\(command.display(invoker: invoker))`: \(error)")
            }
            FaultInjection.reached(point + "-ran")
            transcript?.finished(result, at: clock())
            if !result.succeeded {
                if !command.streamsOutput && !result.output.isEmpty { say(indent(result.output, by: 7)) }
                let why = result.timedOut ? "timed out" : "exited with status \(result.exitStatus)"
                try fail(action, "`\(command.display(invoker: invoker))` \(why)")
            }
        }
        let after = try action.check(context)
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
        say("  [done] \(action.title)" + (after.detail.isEmpty ? "" : ": \(after.detail)"))
    }

    private func fail(_ action: Action, _ reason: String) throws -> Never {
        record(action.id) {
            $0.status = .failed
            $0.note = reason
            $0.finishedAt = self.clock()
        }
        inFlight = nil
        updateStep(context.stepNumber) {
            $0.status = .failed
            $0.note = reason
        }
        try save()
        throw StepFailed(reason: reason)
    }

    enum Decision { case proceed, skipAction }

    private func confirm(action: Action, step: Step, commands: [Command]) throws -> Decision {
        let canSkip = action.skippable || step.optional != nil
        if context.options.assumeYes {
            say("     Run this? yes (--assume-yes)")
            return .proceed
        }
        let choices = canSkip ? ["yes", "no", "skip", "explain", "quit"] : ["yes", "no", "explain", "quit"]
        let prompt = canSkip ? "     Run this? [y]es / [n]o / [s]kip / [e]xplain / [q]uit: "
                             : "     Run this? [y]es / [n]o / [e]xplain / [q]uit: "
        while true {
            guard let raw = try reader.readLine(prompt: prompt, completion: .choices(choices)) else {
                throw StopRequested(reason: "end of input before \"\(action.title)\" was confirmed (end of input is never a yes)")
            }
            switch raw.trimmingWhitespace().lowercased() {
            case "y", "yes": return .proceed
            case "n", "no": throw StopRequested(reason: "you declined \"\(action.title)\"; nothing was run")
            case "q", "quit": throw StopRequested(reason: "you quit before \"\(action.title)\"")
            case "s", "skip":
                if !canSkip {
                    say("     This action cannot be skipped: \(action.why)")
                    continue
                }
                if step.optional != nil && !action.skippable { throw SkipStep() }
                return .skipAction
            case "e", "explain", "?":
                say(indent("Why: \(action.why)\n\nThe guide's manual way for this step:\n\(step.manual)", by: 5))
            default:
                say("     Please answer y, n, \(canSkip ? "s, " : "")e or q.")
            }
        }
    }

    private func waitForOperator(_ instruction: String, action: Action, in step: Step) throws {
        say("\n  -> \(action.title)")
        say(indent(instruction, by: 5))
        if context.options.dryRun { return }
        while true {
            if context.options.assumeYes {
                let again = try action.check(context)
                if again.ok { break }
                throw StepFailed(reason: "\(action.title) needs you: \(instruction) (still: \(again.detail))")
            }
            guard let raw = try reader.readLine(prompt: "     When done, press Enter to re-check ([q]uit, [e]xplain): ",
                                                completion: .choices(["quit", "explain"])) else {
                throw StopRequested(reason: "end of input while waiting for: \(action.title)")
            }
            switch raw.trimmingWhitespace().lowercased() {
            case "q", "quit": throw StopRequested(reason: "you quit while waiting for: \(action.title)")
            case "e", "explain", "?": say(indent("Why: \(action.why)", by: 5)); continue
            default: break
            }
            if let practice = host as? PracticeHost, let did = practice.operatorConfirmed(action.id) { say("     " + did) }
            let again = try action.check(context)
            if again.ok { break }
            say("     Not yet: \(again.detail)")
        }
        record(action.id) {
            $0.status = .done
            $0.finishedAt = self.clock()
        }
        try save()
        say("  [done] \(action.title)")
    }

    private func observe(_ question: String, key: String, action: Action) throws {
        say("\n  -> \(action.title)")
        let answer: String
        if let given = answersFile[key] {
            guard let parsed = yesNo(given) else {
                throw StepFailed(reason: "the answers file gives \(key)=\"\(given)\"; it must be yes or no")
            }
            answer = parsed
            say("     \(question) \(answer) (from the answers file)")
        } else {
            if context.options.dryRun { return }
            while true {
                guard let raw = try reader.readLine(prompt: "     \(question) [y]es / [n]o: ", completion: .choices(["yes", "no"])) else {
                    throw StopRequested(reason: "end of input at: \(action.title)")
                }
                if let parsed = yesNo(raw) { answer = parsed; break }
                say("     Please answer yes or no (only what you saw yourself: this is not a confirmation).")
            }
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
        say("  [done] \(action.title)")
    }

    // MARK: - Questions

    private func wantsOptionalStep(_ optional: OptionalStep) throws -> Bool {
        if let given = answersFile[optional.answerKey] ?? context.progress.answers[optional.answerKey] {
            guard let parsed = yesNo(given) else {
                throw StepFailed(reason: "\(optional.answerKey)=\"\(given)\" must be yes or no")
            }
            context.progress.answers[optional.answerKey] = parsed
            return parsed == "yes"
        }
        if context.options.assumeYes || context.options.dryRun {
            context.progress.answers[optional.answerKey] = "yes"
            return true
        }
        while true {
            guard let raw = try reader.readLine(prompt: "\(optional.question) [y]es / [s]kip: ", completion: .choices(["yes", "skip"])) else {
                throw StopRequested(reason: "end of input at: \(optional.question)")
            }
            switch raw.trimmingWhitespace().lowercased() {
            case "y", "yes":
                context.progress.answers[optional.answerKey] = "yes"
                try save()
                return true
            case "s", "skip", "n", "no":
                context.progress.answers[optional.answerKey] = "no"
                try save()
                return false
            default: say("Please answer y or s.")
            }
        }
    }

    /// The question's validator, plus one rule for every answer: phase0 never needs a secret,
    /// so a value that looks like one (an auth key, a token) is refused rather than stored in
    /// the resume file.
    static func validateAnswer(_ question: Question, _ raw: String, _ context: StepContext) -> Result<String, ValidationFailure> {
        if let kind = Redactor.secretKind(in: raw) {
            return .failure(.init("this looks like a secret (\(kind)); no answer of this procedure is a secret, and phase0 never stores one. Give the value the question asks for"))
        }
        return question.validate(raw, context)
    }

    private func validate(_ question: Question, _ raw: String) -> Result<String, ValidationFailure> {
        Engine.validateAnswer(question, raw, context)
    }

    private func resolve(_ question: Question) throws {
        if let given = answersFile[question.key] {
            switch validate(question, given) {
            case .success(let value):
                context.progress.answers[question.key] = value
                try save()
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
                return   // confirmed by the operator when it was first given
            case .failure:
                say("The saved answer for \"\(question.key)\" no longer fits this machine; asking again.")
            }
        }
        let fallback = question.defaultValue(context)
        if (context.options.assumeYes || context.options.dryRun), let fallback {
            if case .success(let value) = validate(question, fallback) {
                context.progress.answers[question.key] = value
                try save()
                say("\(question.prompt): \(value) (default)")
                return
            }
        }
        while true {
            let prompt = question.prompt + (fallback.map { " [\($0)]" } ?? "") + ": "
            guard let raw = try reader.readLine(prompt: prompt, completion: question.completion) else {
                throw StopRequested(reason: "end of input while asking for \(question.key)")
            }
            let typed = raw.trimmingWhitespace()
            if typed == "?" {
                say(question.help)
                continue
            }
            guard let candidate = typed.isEmpty ? fallback : raw else {
                say("A value is required. " + question.help)
                continue
            }
            switch validate(question, candidate) {
            case .success(let value):
                context.progress.answers[question.key] = value
                try save()
                return
            case .failure(let failure):
                say("Not accepted: \(failure.reason)")
                // Some values are allowed only when the operator says so in person (-y does not).
                if let confirmation = failure.confirmation, try confirmed(confirmation.question) {
                    context.progress.answers[question.key] = confirmation.value
                    try save()
                    return
                }
            }
        }
    }

    private func confirmed(_ question: String) throws -> Bool {
        guard let raw = try reader.readLine(prompt: question + " [y/N]: ", completion: .choices(["yes", "no"])) else {
            throw StopRequested(reason: "end of input at: \(question)")
        }
        return yesNo(raw) == "yes"
    }

    // MARK: - Records

    private func record(_ id: String, _ change: (inout ActionRecord) -> Void) {
        record(step: context.stepNumber, action: id, change)
    }

    private func record(step: Int, action id: String, _ change: (inout ActionRecord) -> Void) {
        context.progress.updateStep(step) { $0.updateAction(id, change) }
    }

    private func updateStep(_ number: Int, _ change: (inout StepRecord) -> Void) {
        context.progress.updateStep(number, change)
    }

    private func save() throws {
        if let simulated = host as? SimulatedMachineHost { context.progress.machine = simulated.machine }
        context.progress.updatedAt = clock()
        try store?.save(context.progress)
        FaultInjection.reached("save")
    }

    private func say(_ text: String) { output.write(text + "\n") }
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
