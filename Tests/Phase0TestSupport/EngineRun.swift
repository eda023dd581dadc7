@testable import Phase0Core
import Phase0Practice
import Phase0Steps
import Phase0TestKit

/// The one engine harness: the real Engine over `steps` on `host`, with scripted input,
/// captured output and, when a test wants one, a real resume file and transcript. Every test
/// that runs steps builds its engine here, so they all run it the way the wizard does.
public final class EngineRun {
    public let host: any Host
    public let output = CapturedOutput()
    public let reader: any LineReader
    public let store: StateStore?
    public let engine: Engine

    /// `progress` nil: a new run of `stepCount` steps on `host` (its snapshot saved with it),
    /// holding `answers` as if they were given earlier. `answersFile` is an `--answers` file.
    public init(
        _ steps: [Step], on host: any Host, reader: any LineReader = ScriptedLineReader([]),
        progress: Phase0Core.Progress? = nil, stepCount: Int = 6, answers: [String: String] = [:],
        answersFile: [String: String] = [:], answersPath: String = "answers.json", options: RunOptions = RunOptions(),
        store: StateStore? = nil, transcript: Transcript? = nil, clock: @escaping () -> String = { "T" },
        prelude: [Question] = [], sudo: SudoGate = SudoGate()
    ) {
        var start =
            progress
            ?? Phase0Core.Progress(
                mode: host.isPractice ? .practice : .live, stepCount: stepCount, machine: host.snapshot, now: "T0")
        for (key, value) in answers { start.answers[key] = value }
        self.host = host
        self.reader = reader
        self.store = store
        engine = Engine(
            steps: steps, host: host, output: output, reader: reader, progress: start, store: store,
            transcript: transcript, answersFile: answersFile, answersPath: answersPath, options: options, clock: clock,
            prelude: prelude, sudo: sudo)
    }

    @discardableResult
    public func run() -> RunOutcome { engine.run() }

    public var text: String { output.text }
    public var progress: Phase0Core.Progress { engine.progress }

    /// Every prompt the operator was shown.
    public var prompts: [String] {
        (reader as? ScriptedLineReader)?.prompts ?? (reader as? OperatorScript)?.prompts ?? []
    }
}

/// What a finished run left: how it ended, what it said, its progress and its prompts.
public struct StepRun {
    public var outcome: RunOutcome
    public var text: String
    public var progress: Phase0Core.Progress
    public var prompts: [String]
}

/// Runs `steps` on `host` with no resume file: -y with `assumeYes`, else `reader` plays the
/// operator (and its end of input stops the run, never a yes).
@discardableResult
public func runSteps(
    _ steps: [Step], on host: any Host, reader: any LineReader, answers: [String: String] = [:],
    answersFile: [String: String] = [:], progress: Phase0Core.Progress? = nil, assumeYes: Bool = false,
    dryRun: Bool = false
) -> StepRun {
    let run = EngineRun(
        steps, on: host, reader: reader, progress: progress, answers: answers, answersFile: answersFile,
        options: RunOptions(assumeYes: assumeYes, dryRun: dryRun))
    let outcome = run.run()
    return StepRun(outcome: outcome, text: run.text, progress: run.progress, prompts: run.prompts)
}

/// The same with the operator's typed lines.
@discardableResult
public func runSteps(
    _ steps: [Step], on host: any Host, lines: [String] = [], answers: [String: String] = [:],
    answersFile: [String: String] = [:], progress: Phase0Core.Progress? = nil, assumeYes: Bool = false,
    dryRun: Bool = false
) -> StepRun {
    runSteps(
        steps, on: host, reader: ScriptedLineReader(lines), answers: answers, answersFile: answersFile,
        progress: progress, assumeYes: assumeYes, dryRun: dryRun)
}

// MARK: - Step 0 with a probe for Step 1

/// A deterministic clock, so saved progress does not depend on when a test runs.
public final class TickClock {
    private var ticks = 0
    public init() {}
    public func now() -> String {
        ticks += 1
        return "T\(ticks)"
    }
}

/// Stands in for a step after Step 0: records whether the engine ever started it.
public final class StepProbe {
    public var started = false
    public init() {}

    public func step(number: Int = 1) -> Step {
        Step(
            number: number, title: "Stub step \(number)", why: "stub why", manual: "stub manual",
            report: { _ in
                self.started = true
                return []
            },
            actions: [],
            verify: { _ in
                self.started = true
                return [Check(true, "stub")]
            })
    }
}

/// The procedure's Step 0 (and a probe for Step 1, behind the swap gate) on a simulated Spark,
/// saving to a real resume file in a private directory: what the Step 0, gate, confirmation and
/// resume-file tests run.
public final class Harness {
    public let dir: TempDir
    public let host: PracticeHost
    public let probe = StepProbe()
    public let store: StateStore
    public let wizard: EngineRun

    public init(
        machine: SimulatedSpark = SimulatedSpark(), lines: [String] = [],
        options: RunOptions = RunOptions(assumeYes: true), answers: [String: String] = [:], withStep1: Bool = true,
        dir: TempDir? = nil
    ) throws {
        self.dir = try dir ?? TempDir("engine", memory: true)
        host = PracticeHost(machine: machine)
        store = StateStore(path: self.dir.path + "/practice.json", snapshotType: SimulatedSpark.self)
        var steps = [Procedure.steps()[0]]
        if withStep1 { steps.append(probe.step()) }
        wizard = EngineRun(
            steps, on: host, reader: ScriptedLineReader(lines),
            progress: try store.load() ?? Phase0Core.Progress(mode: .practice, stepCount: 6, machine: machine, now: "T0"),
            answersFile: answers, answersPath: self.dir.path + "/answers.json", options: options, store: store,
            clock: TickClock().now)
    }

    public var engine: Engine { wizard.engine }
    public var reader: ScriptedLineReader { wizard.reader as! ScriptedLineReader }
    public var text: String { wizard.text }
    public var history: [String] { host.machine.history }
    public func action(_ id: String) -> ActionRecord? { engine.progress.step(0)?.action(id) }

    /// The resume file as saved.
    public func saved() throws -> Phase0Core.Progress {
        guard let progress = try store.load() else { throw Program.Failure(description: "no resume file at \(store.path)") }
        return progress
    }
}

/// Whether a run failed for a reason that says `text`.
public func isFailure(_ outcome: RunOutcome, containing text: String) -> Bool {
    if case .failed(let reason) = outcome { return reason.contains(text) }
    return false
}

/// A step's context over `host` with `answers`, to call a question's validation or an
/// action's check directly, as the engine does.
public func stepContext(
    _ host: any Phase0Core.Host, answers: [String: String] = [:], options: RunOptions = RunOptions(assumeYes: true)
) -> StepContext {
    var progress = Phase0Core.Progress(mode: .practice, stepCount: 6, machine: host.snapshot, now: "T0")
    progress.answers = answers
    return StepContext(host: host, output: CapturedOutput(), progress: progress, options: options)
}
