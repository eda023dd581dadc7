import Phase0Core
import Phase0Parsers

/// `phase0 undo STEP|all`: each step of the procedure has an undo step, written in the same
/// vocabulary (Step, Action, Check) and run by the same Engine, so undoing has the discipline
/// of doing: every command shown and confirmed, each action checked first, recorded before and
/// after it runs, resumed after a cut.
///
/// What phase0 did is read from the resume file: an action whose commands ran (attempts > 0)
/// made its effect; one found already in place (`already-done`) did not, and undo leaves that
/// effect alone and says so. The undo of Step N keeps its own record in the same resume file,
/// under number `100 + N`; when it is verified, Step N's record goes back to `pending` (its
/// action records stay: they are how a later undo still knows what phase0 made).
public enum UndoProcedure {
    public enum Target: Equatable, Sendable {
        case step(Int)
        case all
    }

    public static let recordOffset = 100

    /// The undo steps for `target`, newest first.
    public static func steps(for target: Target, purge: Bool) -> [Step] {
        let numbers: [Int]
        switch target {
        case .all: numbers = [5, 4, 3, 2, 1, 0]
        case .step(let number): numbers = [number]
        }
        return numbers.map { step($0, purge: purge) }
    }

    static func step(_ number: Int, purge: Bool) -> Step {
        var step: Step
        switch number {
        case 0: step = UndoSwap.make()
        case 1: step = UndoMosh.make()
        case 2: step = UndoAgent.make()
        case 3: step = UndoWebUI.make(purge: purge)
        case 4: step = UndoServe.make()
        default: step = unplug()
        }
        step.number = recordOffset + number
        step.name = "Undo of Step \(number)"
        step.onVerified = { ctx in markUndone(number, ctx) }
        return step
    }

    /// An undo step: its verify is the checks of the actions that apply (what phase0 made).
    static func make(
        _ number: Int, title: String, why: String, manual: String, actions: [Action],
        report: @escaping (StepContext) -> [String]
    ) -> Step {
        Step(
            number: number, title: title, why: why, manual: manual, report: report, actions: actions,
            verify: { ctx in
                let checks = try actions.filter { $0.applies(ctx) }.map { try $0.check(ctx) }
                return checks.isEmpty ? [Check(true, "nothing phase0 did is left to undo")] : checks
            })
    }

    // MARK: - What the resume file says phase0 did

    /// Whether phase0 ran the commands of `action` of Step `step` (rather than finding its
    /// effect already there).
    public static func phase0Ran(_ step: Int, _ action: String, _ ctx: StepContext) -> Bool {
        (ctx.stepRecord(step)?.action(action)?.attempts ?? 0) > 0
    }

    /// "left: WHAT (why)" for an effect the run found in place, for the undo step's report.
    /// Only for a step phase0 found or made done: its verify saw the effect in place.
    static func leaves(_ step: Int, _ action: String, _ what: String, _ ctx: StepContext) -> String? {
        guard let record = ctx.stepRecord(step), record.status == .done || record.note?.hasPrefix(undoneNote) == true,
            !phase0Ran(step, action, ctx)
        else { return nil }
        return "Leaves \(what): it was there before phase0 (phase0 did not make it)."
    }

    /// A saved answer (else the table's default) checked for the key's syntax as it was when
    /// asked: a hand-edited resume file cannot make undo act on something else (a flag, another path).
    static func saved(_ key: AnswerKey, _ ctx: StepContext) throws -> String {
        try key.checked(given: { ctx.answerIfGiven($0) }, named: "saved answer \"\(key.rawValue)\"")
    }

    /// The refusal when a look at the machine could not be made: undo acts only on what it
    /// sees is phase0's, never on what it cannot see (Lookup's rule).
    static func unseen<T>(_ lookup: Lookup<T>, _ what: String) -> String? {
        guard case .unknown(let why) = lookup else { return nil }
        return "phase0 cannot tell \(what) (\(why)), so it changes nothing there; run phase0 undo again once it can"
    }

    // MARK: - Marking the step undone

    /// Step N's record back to pending. Step 5's records are the test itself (observations,
    /// check 4 passed), so they go, with the observations: the next run checks again.
    static let undoneNote = "undone by `phase0 undo`"

    static func markUndone(_ number: Int, _ ctx: StepContext) {
        let waiting = number == 0 ? UndoSwap.swapfileStillThere(ctx) : nil
        ctx.updateStepRecord(number) { record in
            let undoneBefore = record.status == .pending && record.note?.hasPrefix(undoneNote) == true
            guard undoneBefore || (record.status != .pending && record.status != .skipped) else { return }
            record.status = .pending
            record.note = undoneNote + "; " + (waiting ?? "run phase0 to do it again")
            if number == 5 { record.actions = [] }
        }
        if number == 5 {
            for key in [AnswerKey.unplugLidClosed, .unplugPhoneChat, .unplugTmuxIntact] { ctx.forgetAnswer(key.rawValue) }
        }
    }

    /// Undo newest first where it matters for safety: Step 0 (swap) is undone only once Steps
    /// 1–5 are, or the services would start at the next boot with less than 64G of swap.
    static func laterStepsStillDone(_ ctx: StepContext) -> String? {
        let done = (1...5).filter { number in
            guard let status = ctx.stepRecord(number)?.status else { return false }
            return status != .pending && status != .skipped
        }
        guard !done.isEmpty else { return nil }
        return
            "Step 0 (swap) is undone last: Step\(done.count == 1 ? "" : "s") \(done.map(String.init).joined(separator: ", ")) still hold\(done.count == 1 ? "s" : "") what phase0 did, and Docker and the agent would start at the next boot with less than 64G of swap. Run `phase0 undo all` (newest first), or undo \(done.map { "Step \($0)" }.joined(separator: ", ")) first."
    }

    // MARK: - Step 5

    static func unplug() -> Step {
        make(
            5, title: "The Unplug Protocol",
            why: """
                The Unplug Protocol only looked: there is nothing on the machine to undo. Its records and your
                observations are cleared, so the next run of phase0 checks again.
                """, manual: "(nothing to run)", actions: [], report: { _ in [] })
    }
}

/// Files phase0 wrote under /etc, moved aside rather than deleted: `PATH.phase0-backup.N` is
/// a backup like any other (systemd and systemd-sysctl read neither).
enum SetAside {
    /// The first line of every file phase0 writes from Templates/.
    static let marker = "# Written by phase0"

    static func isPhase0s(_ path: String, _ host: Host) -> Bool {
        host.readFile(path)?.hasPrefix(marker) == true
    }

    static func commands(_ path: String, _ host: Host) -> [Command] {
        [.privileged(["mv", "-f", path, AtomicWrite.backupPath(for: path, host: host)])]
    }
}
