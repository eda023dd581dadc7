import Phase0Parsers

/// The procedure's vocabulary. `Steps/` describes each step of the guide with these types;
/// the Engine walks them: detect, explain, ask, act (each action checked, shown, confirmed,
/// journaled), verify.
public struct Step {
    public var number: Int
    public var title: String
    /// The guide's reason for this step, shown before anything happens.
    public var why: String
    /// The guide's manual commands for the whole step, shown by "explain".
    public var manual: String
    /// Steps the guide calls optional can be skipped as a whole (Step 1, mosh).
    public var optional: OptionalStep?
    public var questions: [Question]
    /// Facts shown before acting (memory and swap for Step 0).
    public var report: (StepContext) -> [String]
    public var actions: [Action]
    /// All must pass for the step to count as done; run first, too, to detect "already done".
    public var verify: (StepContext) throws -> [Check]
    /// A rule that must hold before this step starts (the 64G swap rule for Steps 1–5).
    public var gate: Gate?
    /// The gate this step exists to open (Step 0 opens the swap gate): when it is refused
    /// while that gate is still closed, the run stops at the gate, not at a failure.
    public var opens: Gate?
    /// How the screen and the records name it ("Step 2"); an undo step says "Undo of Step 2".
    public var name: String?
    /// Runs when the step is found done (verified, already done, or verified again), before
    /// that is saved, so both land in the resume file in one save (undo marks the step it
    /// reversed as pending there).
    public var onVerified: ((StepContext) -> Void)?

    public var displayName: String { name ?? "Step \(number)" }

    public init(
        number: Int, title: String, why: String, manual: String, optional: OptionalStep? = nil,
        questions: [Question] = [], report: @escaping (StepContext) -> [String] = { _ in [] },
        actions: [Action], verify: @escaping (StepContext) throws -> [Check],
        gate: Gate? = nil, opens: Gate? = nil
    ) {
        self.gate = gate
        self.opens = opens
        self.number = number
        self.title = title
        self.why = why
        self.manual = manual
        self.optional = optional
        self.questions = questions
        self.report = report
        self.actions = actions
        self.verify = verify
    }
}

/// A rule the procedure never lets anyone skip: no flag, no answer opens it.
public struct Gate {
    /// nil while the rule holds; otherwise what is wrong and what to do, for the screen.
    public var closedBecause: (StepContext) -> String?
    public init(closedBecause: @escaping (StepContext) -> String?) { self.closedBecause = closedBecause }
}

/// How an optional step asks whether to do it, and where the answer is remembered.
public struct OptionalStep {
    public var answerKey: String
    public var question: String
    public init(answerKey: String, question: String) {
        self.answerKey = answerKey
        self.question = question
    }
}

/// A value the procedure needs, asked once, validated, and remembered in the resume file.
public struct Question {
    public var key: String
    public var prompt: String
    public var help: String
    public var completion: Completion
    public var defaultValue: (StepContext) -> String?
    /// Returns the value to store (normalized) or the reason it is refused.
    public var validate: (String, StepContext) -> Result<String, ValidationFailure>

    public init(
        key: String, prompt: String, help: String, completion: Completion = .none,
        defaultValue: @escaping (StepContext) -> String?,
        validate: @escaping (String, StepContext) -> Result<String, ValidationFailure>
    ) {
        self.key = key
        self.prompt = prompt
        self.help = help
        self.completion = completion
        self.defaultValue = defaultValue
        self.validate = validate
    }
}

/// The result of one look at the machine.
public struct Check: Equatable {
    public var ok: Bool
    public var label: String
    public var detail: String

    public init(_ ok: Bool, _ label: String, _ detail: String = "") {
        self.ok = ok
        self.label = label
        self.detail = detail
    }
}

/// A file an action is about to write, so the confirmation can show its content or a diff.
public struct PlannedFile: Equatable {
    public var path: String
    public var newContent: String
    /// nil when the file does not exist yet.
    public var oldContent: String?
    public init(path: String, newContent: String, oldContent: String?) {
        self.path = path
        self.newContent = newContent
        self.oldContent = oldContent
    }
}

/// One thing the wizard does. Its check runs first, always: an effect already in place is
/// never redone, which is what makes re-runs and resumes after a cut safe.
public struct Action {
    public enum Kind {
        /// Commands computed just before they are shown, so what is shown is what runs.
        case commands((StepContext) throws -> [Command])
        /// Something only the operator can do (a web console setting); the wizard waits,
        /// then re-checks.
        case operatorTask(instruction: (StepContext) -> String)
        /// An observation only the operator can make (Unplug checks 1–3), answered yes/no and
        /// recorded under `answerKey`.
        case observation(question: String, answerKey: String)
    }

    public var id: String
    public var title: String
    public var why: String
    public var kind: Kind
    /// Whether the effect is already in place, and what was seen.
    public var check: (StepContext) throws -> Check
    /// Only actions that apply run (for example the firewall rule when ufw is active).
    public var applies: (StepContext) -> Bool
    /// A reason the action cannot be done safely here; the wizard stops and explains.
    public var refuse: (StepContext) -> String?
    public var plannedFile: (StepContext) throws -> PlannedFile?
    /// The operator may skip this action alone and go on.
    public var skippable: Bool
    /// The file the commands create, recorded in the resume file before they run and with its
    /// identity after (see `MadeFile`); nil for actions that create nothing of that kind.
    public var creates: ((StepContext) throws -> String?)?
    /// Set when the commands would destroy something phase0 did not make (a tmux server, a
    /// container, a process): the answers-file key that allows it. -y never answers such a
    /// confirmation: it takes that key's "yes", or a person.
    public var consentKey: (StepContext) -> String?
    /// How long the check may take to come true after the commands ran (a process ending
    /// after SIGTERM): the engine re-checks until then instead of waiting with a command.
    public var settleSeconds: Int?

    public init(
        id: String, title: String, why: String, kind: Kind,
        check: @escaping (StepContext) throws -> Check,
        applies: @escaping (StepContext) -> Bool = { _ in true },
        refuse: @escaping (StepContext) -> String? = { _ in nil },
        plannedFile: @escaping (StepContext) throws -> PlannedFile? = { _ in nil },
        skippable: Bool = false,
        creates: ((StepContext) throws -> String?)? = nil,
        consentKey: @escaping (StepContext) -> String? = { _ in nil },
        settleSeconds: Int? = nil
    ) {
        self.settleSeconds = settleSeconds
        self.creates = creates
        self.consentKey = consentKey
        self.id = id
        self.title = title
        self.why = why
        self.kind = kind
        self.check = check
        self.applies = applies
        self.refuse = refuse
        self.plannedFile = plannedFile
        self.skippable = skippable
    }
}

/// An answer a step needs was never given (a bug in Steps/, or a stale resume file).
public struct MissingAnswer: Error, CustomStringConvertible {
    public var key: String
    public var description: String { "no value for \"\(key)\"; it is asked before the step that needs it" }
}

/// What the steps see while they run: the machine, the answers, and the record so far.
public final class StepContext {
    public let host: Host
    public let output: Output
    var progress: Progress
    public let options: RunOptions
    public internal(set) var stepNumber = 0

    init(host: Host, output: Output, progress: Progress, options: RunOptions) {
        self.host = host
        self.output = output
        self.progress = progress
        self.options = options
    }

    public func answer(_ key: String) throws -> String {
        guard let value = progress.answers[key] else { throw MissingAnswer(key: key) }
        return value
    }

    public func answerIfGiven(_ key: String) -> String? { progress.answers[key] }

    /// The record so far, read-only (the run's summary reads what was done).
    public var recorded: Progress { progress }

    /// Values from `--answers`, as given. Decisions asked inside actions (replaceTmuxSession,
    /// replaceContainer) are read from here: they are per run, never saved as answers.
    public internal(set) var presetAnswers: [String: String] = [:]

    /// The record of an action of the current step (to know, say, that phase0 made a file).
    public func record(of actionID: String) -> ActionRecord? {
        progress.step(stepNumber)?.action(actionID)
    }

    public func say(_ text: String) { output.write(text + "\n") }

    /// The record of any step (undo reads what the run it reverses did).
    public func stepRecord(_ number: Int) -> StepRecord? { progress.step(number) }

    /// Changes the record of any step (undo marks the step it reversed as pending).
    public func updateStepRecord(_ number: Int, _ change: (inout StepRecord) -> Void) {
        progress.updateStep(number, change)
    }

    /// Facts a step looks up once per run (whether docker needs sudo), by name.
    public var memo: [String: String] = [:]

    /// Drops a saved answer (undo of Step 5 forgets what the operator observed).
    public func forgetAnswer(_ key: String) { progress.answers[key] = nil }
}

/// What the engine says at the start and the end of a run (the wizard's, or undo's).
public struct EngineTexts: Sendable {
    public var opening: String
    public var complete: String
    public var dryRunComplete: String
    public init(opening: String, complete: String, dryRunComplete: String) {
        self.opening = opening
        self.complete = complete
        self.dryRunComplete = dryRunComplete
    }

    public static let wizard = EngineTexts(
        opening: "phase0: make Vybn always-on, following \"Phase 0: Make Vybn Always-On\".",
        complete: "Phase 0 complete: all steps done and verified.",
        dryRunComplete: "Dry run finished: every command above was printed, none was run, nothing was saved.")
}

/// The procedure's own words around a run (from Steps/): the overview before a new run, the
/// summary after a complete one; and the terminal's width for prose.
public struct Presentation {
    public var overview: String?
    public var summary: ((StepContext) -> [String])?
    /// The review screen of every value before Step 0 (interactive runs of the wizard; engine
    /// tests that script one answer per question leave it off).
    public var reviewsAnswers: Bool
    /// Columns to wrap prose at; the wizard sets the terminal's (no wrapping by default).
    public var width: Int
    public init(overview: String? = nil, summary: ((StepContext) -> [String])? = nil, reviewsAnswers: Bool = false, width: Int = .max) {
        self.overview = overview
        self.summary = summary
        self.reviewsAnswers = reviewsAnswers
        self.width = width
    }
}

public struct RunOptions: Sendable {
    public var assumeYes: Bool
    public var dryRun: Bool
    /// `run --step N`: redo this step alone (each action re-checked; what is missing redone).
    public var onlyStep: Int?
    /// The account that ran `sudo phase0`, if any: the default operator when run as root.
    public var sudoUser: String?
    public init(assumeYes: Bool = false, dryRun: Bool = false, sudoUser: String? = nil) {
        self.assumeYes = assumeYes
        self.dryRun = dryRun
        self.sudoUser = sudoUser
    }
}
