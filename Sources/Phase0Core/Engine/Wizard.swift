import Phase0Parsers
#if canImport(Glibc)
import Glibc
#endif

/// The documented exit codes.
public enum ExitStatus {
    public static let complete: Int32 = 0
    public static let failed: Int32 = 1
    public static let swapGate: Int32 = 3
    public static let usage: Int32 = 64
    public static let badInput: Int32 = 65
    public static let locked: Int32 = 75
    public static let interrupted: Int32 = 130

    public static func of(_ outcome: RunOutcome) -> Int32 {
        switch outcome {
        case .complete: return complete
        case .failed: return failed
        case .gate: return swapGate
        case .stopped, .interrupted: return interrupted
        case .badInput: return badInput
        }
    }
}

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
            throw InputFileError(path: resolvedStatePath,
                                 problem: "holds a \(progress.mode.rawValue) run; add or drop --practice, or give another --state")
        }
        let host = try hosts.makeHost(saved: progress?.machine, scenarioPath: progress == nil ? scenarioPath : nil).host
        return (host, progress)
    }
}

/// What the engine walks: the steps, every key an answers file may hold, and the questions
/// asked before Step 0 (whose agent this is, when phase0 runs as root).
public struct ProcedureDefinition {
    public var steps: [Step]
    public var answerKeys: Set<String>
    public var prelude: (Host, RunOptions) -> [Question]
    /// Said after a complete run.
    public var epilogue: ((StepContext) -> String?)?
    public init(steps: [Step], answerKeys: Set<String>, prelude: @escaping (Host, RunOptions) -> [Question],
                epilogue: ((StepContext) -> String?)? = nil) {
        self.steps = steps
        self.answerKeys = answerKeys
        self.prelude = prelude
        self.epilogue = epilogue
    }
}

/// Puts a run together: the host (live or simulated), the resume file and its lock, the
/// transcript, the line reader, and the engine.
public enum Wizard {
    public static func run(_ config: WizardConfig, procedure: ProcedureDefinition,
                           output: Output = StandardOutput()) -> Int32 {
        InterruptFlag.install()
        let steps = procedure.steps
        let store = config.makeStore()
        do {
            let answers = try config.answersPath.map { try loadAnswersFile($0, knownKeys: procedure.answerKeys) } ?? [:]
            if !config.options.dryRun { try store.lock() }
            var progress = try store.load()
            if let existing = progress {
                let wanted: RunMode = config.practice ? .practice : .live
                guard existing.mode == wanted else {
                    throw InputFileError(path: store.path, problem: "holds a \(existing.mode.rawValue) run, but this is a \(wanted.rawValue) run; use another --state file")
                }
                if config.scenarioPath != nil {
                    output.write("Resuming the simulated Spark saved in \(store.path); --scenario applies only to a new practice run (phase0 reset --practice to start over).\n")
                }
            }
            let made = try config.hosts.makeHost(saved: progress?.machine, scenarioPath: progress == nil ? config.scenarioPath : nil)
            if let notice = made.notice { output.write(notice + "\n\n") }
            let host = made.host
            if progress == nil {
                progress = Progress(mode: config.hosts.mode, stepCount: steps.count, machine: host.snapshot, now: utcTimestamp())
            }
            let transcript = config.options.dryRun ? nil : Transcript(path: store.path + ".transcript.log")
            let reader: LineReader = isatty(0) == 1
                ? ReadlineLineReader(historyPath: store.directory + "/history",
                                     paths: host.pathCompleter)
                : PlainLineReader(output: output)
            var options = config.options
            options.sudoUser = config.environment["SUDO_USER"]
            // Run as root directly, ask whose agent this is instead of assuming root.
            let prelude = procedure.prelude(host, options)
            let engine = Engine(steps: steps, host: host, output: output, reader: reader, progress: progress!,
                                store: store, transcript: transcript, answersFile: answers,
                                answersPath: config.answersPath ?? "answers file", options: options,
                                clock: utcTimestamp, prelude: prelude, epilogue: procedure.epilogue)
            return ExitStatus.of(engine.run())
        } catch {
            return exitStatus(reporting: error, to: output)
        }
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

/// Says what ended a subcommand and gives its exit status: a bad input file 65 (never
/// touched), a held lock 75, anything else 1.
public func exitStatus(reporting error: Error, to output: Output) -> Int32 {
    switch error {
    case let bad as InputFileError:
        output.write("phase0: \(bad)\nThe file was left as it is.\n")
        return ExitStatus.badInput
    case let held as LockHeld:
        output.write("phase0: \(held)\n")
        return ExitStatus.locked
    default:
        output.write("phase0: \(error)\n")
        return ExitStatus.failed
    }
}

/// `2026-11-29T12:00:00Z`.
public func utcTimestamp() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
}
