import Phase0Parsers

/// How a run, or any subcommand, ended, with what the operator is told. Everything that stops
/// phase0 ends as one of these; `exitCode` is the one place the documented exit codes are
/// chosen (README "Exit codes"), and the executable exits with it.
public enum RunOutcome: Error, Equatable, Sendable {
    case complete
    /// A command, a check or a verification failed; progress kept.
    case failed(String)
    /// Stopped at the swap gate.
    case gate(String)
    /// An input file (answers, scenario, resume file) holds what cannot be used; it is left as it is.
    case badInput(String)
    /// Another phase0 holds the resume file's lock.
    case locked(String)
    /// The operator said no or quit, or input ended.
    case stopped(String)
    /// Ctrl-C.
    case interrupted

    public var exitCode: Int32 {
        switch self {
        case .complete: return 0
        case .failed: return ExitStatus.failed
        case .gate: return ExitStatus.swapGate
        case .badInput: return ExitStatus.badInput
        case .locked: return ExitStatus.locked
        case .stopped: return ExitStatus.interrupted
        // 128 + the signal that stopped it: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP.
        case .interrupted: return InterruptFlag.exitStatus
        }
    }

    /// The outcome an error ends a run with: each error that stops phase0 the same way wherever
    /// it is thrown says so (EndsRun); any other error is a failure, with its description.
    public init(_ error: Error) {
        switch error {
        case let outcome as RunOutcome: self = outcome
        case let ending as EndsRun: self = ending.outcome
        default: self = .failed("\(error)")
        }
    }

    /// Says what ended a subcommand before it could do its work, and gives the outcome.
    public static func reporting(_ error: Error, to output: Output) -> RunOutcome {
        let outcome = RunOutcome(error)
        output.write("phase0: \(error)\n")
        if case .badInput = outcome { output.write("The file was left as it is.\n") }
        return outcome
    }
}

/// The documented exit codes (README), as `RunOutcome.exitCode` gives them.
public enum ExitStatus {
    public static let failed: Int32 = 1
    public static let usage: Int32 = 64
    public static let swapGate: Int32 = 3
    public static let badInput: Int32 = 65
    public static let locked: Int32 = 75
    public static let interrupted: Int32 = 130
}

/// An error that ends a run the same way wherever it is thrown.
public protocol EndsRun: Error {
    var outcome: RunOutcome { get }
}

extension InputFileError: EndsRun {
    public var outcome: RunOutcome { .badInput(description) }
}

extension LockHeld: EndsRun {
    public var outcome: RunOutcome { .locked(description) }
}

extension Interrupted: EndsRun {
    public var outcome: RunOutcome { .interrupted }
}

extension UnsafeStateDirectory: EndsRun {
    public var outcome: RunOutcome { .badInput(description) }
}

/// For a subcommand that returns its exit status itself (drills): the same mapping.
public func exitStatus(reporting error: Error, to output: Output) -> Int32 {
    RunOutcome.reporting(error, to: output).exitCode
}
