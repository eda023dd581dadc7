import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// How a run was asked for on the command line.
public struct WizardConfig {
    /// The machine: this one (live) or the simulated Spark (practice).
    public var hosts: any HostFactory = LiveHostFactory()
    public var practice: Bool { hosts.mode == .practice }
    public var scenarioPath: String?
    public var statePath: String?
    public var answersPath: String?
    public var options = RunOptions()
    public var environment: [String: String] = [:]

    public init() {}

    public var resolvedStatePath: String {
        statePath ?? StateStore.defaultPath(practice: practice, environment: environment)
    }

    /// The resume file of this mode; the default directory is phase0's own and kept private.
    public func makeStore() -> StateStore {
        StateStore(path: resolvedStatePath, privateDirectory: statePath == nil, snapshotType: hosts.snapshotType)
    }

    /// What the read-only subcommands (status, preflight, render, troubleshoot, reference)
    /// look at: the saved progress, read but never locked or written, and its machine (the
    /// saved simulated Spark in practice; a new one, with `--scenario`, when none is saved).
    public func openReadOnly() throws -> (host: Host, progress: Progress?) {
        let progress = try makeStore().load()
        if let progress, progress.mode != hosts.mode {
            throw InputFileError(
                path: resolvedStatePath,
                problem: "holds a \(progress.mode.rawValue) run; add or drop --practice, or give another --state")
        }
        let host = try hosts.makeHost(saved: progress?.machine, scenarioPath: progress == nil ? scenarioPath : nil).host
        return (host, progress)
    }
}

/// What the engine walks: the steps, every key an answers file may hold, the questions
/// asked before Step 0 (whose agent this is, when phase0 runs as root), and the rules of the
/// answers no question takes (decisions made inside actions, values only the checks read), so
/// the whole answers file is checked before Step 0.
public struct ProcedureDefinition {
    public var steps: [Step]
    public var answerKeys: Set<String>
    public var prelude: (Host, RunOptions) -> [Question]
    public var otherAnswerRules: [String: (String) -> Result<String, ValidationFailure>]
    /// Said after a complete run.
    public var epilogue: ((StepContext) -> String?)?
    public init(
        steps: [Step], answerKeys: Set<String>,
        otherAnswerRules: [String: (String) -> Result<String, ValidationFailure>] = [:],
        prelude: @escaping (Host, RunOptions) -> [Question],
        epilogue: ((StepContext) -> String?)? = nil
    ) {
        self.steps = steps
        self.answerKeys = answerKeys
        self.otherAnswerRules = otherAnswerRules
        self.prelude = prelude
        self.epilogue = epilogue
    }
}

/// Puts a run together: the host (live or simulated), the resume file and its lock, the
/// transcript, the line reader, and the engine. Everything the operator gave (answers file,
/// resume file, scenario) is checked before anything is created: a run refused for a bad
/// input file leaves no lock file, no state directory, nothing run.
public enum Wizard {
    public static func run(
        _ config: WizardConfig, procedure: ProcedureDefinition,
        output: Output = StandardOutput()
    ) -> RunOutcome {
        InterruptFlag.install()
        // Put back on the way out, whatever stopped a prompt (readline restores them itself
        // when it returns; this covers every other way out).
        let terminal = SavedTerminalModes()
        defer { terminal?.restore() }
        let store = config.makeStore()
        do {
            let answers = try config.answersPath.map { try loadAnswersFile($0, knownKeys: procedure.answerKeys) } ?? [:]
            var options = config.options
            options.sudoUser = config.environment["SUDO_USER"]
            var (progress, made) = try open(config, store: store, procedure: procedure)
            try AnswersCheck.checkAnswersFile(
                answers, path: config.answersPath ?? "answers file", procedure: procedure,
                host: made.host, progress: progress, options: options)
            if !config.options.dryRun {
                try store.lock()
                // Another phase0 may have saved between the first read and the lock.
                if store.changedSinceLoad { (progress, made) = try open(config, store: store, procedure: procedure) }
            }
            if config.scenarioPath != nil && made.notice == nil {
                output.write(
                    "Resuming the simulated Spark saved in \(store.path); --scenario applies only to a new practice run (phase0 reset --practice to start over).\n"
                )
            }
            if let notice = made.notice { output.write(notice + "\n\n") }
            let host = made.host
            let transcript: Transcript? = try config.options.dryRun ? nil : Transcript.opened(store.path + ".transcript.log")
            let reader = lineReader(config, store: store, host: host, output: output)
            // Run as root directly, ask whose agent this is instead of assuming root.
            let prelude = procedure.prelude(host, options)
            let engine = Engine(
                steps: procedure.steps, host: host, output: output, reader: reader, progress: progress,
                store: store, transcript: transcript, answersFile: answers,
                answersPath: config.answersPath ?? "answers file", options: options,
                clock: utcTimestamp, prelude: prelude, epilogue: procedure.epilogue)
            return engine.run()
        } catch {
            return .reporting(error, to: output)
        }
    }

    /// The saved progress (or a new one) and the machine it runs on, refused when the resume
    /// file is of the other mode or holds answers phase0 would never have saved.
    static func open(
        _ config: WizardConfig, store: StateStore,
        procedure: ProcedureDefinition
    ) throws -> (Progress, MadeHost) {
        let saved = try store.load()
        if let saved {
            let wanted: RunMode = config.practice ? .practice : .live
            guard saved.mode == wanted else {
                throw InputFileError(
                    path: store.path,
                    problem: "holds a \(saved.mode.rawValue) run, but this is a \(wanted.rawValue) run; use another --state file")
            }
            try AnswersCheck.checkSavedAnswers(saved, path: store.path, knownKeys: procedure.answerKeys)
        }
        let made = try config.hosts.makeHost(saved: saved?.machine, scenarioPath: saved == nil ? config.scenarioPath : nil)
        let progress =
            saved
            ?? Progress(
                mode: config.hosts.mode, stepCount: procedure.steps.count,
                machine: made.host.snapshot, now: utcTimestamp())
        return (progress, made)
    }

    /// readline at a terminal, with the history of accepted answers beside the resume file
    /// (none in a dry run, which saves nothing); plain lines from a pipe.
    static func lineReader(_ config: WizardConfig, store: StateStore, host: Host, output: Output) -> LineReader {
        guard isatty(0) == 1 else { return PlainLineReader(output: output) }
        var history: AnswerHistory?
        if !config.options.dryRun {
            let kept = AnswerHistory.besideResumeFile(store.path)
            if let problem = kept.problem() {
                output.write("Not keeping a history of answers: \(problem).\n")
            } else {
                history = kept
            }
        }
        return ReadlineLineReader(history: history, paths: host.pathCompleter)
    }
}

/// `text` as lines of at most `width` columns (words longer than that stay whole), each indented.
public func wrapped(_ text: String, indent: String, width: Int = 96) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty && indent.count + line.count + 1 + word.count > width {
            lines.append(indent + line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(indent + line) }
    return lines.joined(separator: "\n")
}

/// `2026-11-29T12:00:00Z`.
public func utcTimestamp() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return
        "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
