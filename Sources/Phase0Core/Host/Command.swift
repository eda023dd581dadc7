import Phase0Parsers

/// Who a command runs as. The wizard itself runs as the operator; `sudo` is added only where
/// the command needs it, so the exact command shown is the exact command run.
public enum RunAs: Sendable, Equatable, Codable {
    case invoker
    case root
    case user(String)
}

/// Whether a command changes the machine. Changes are shown and confirmed; probes are not.
public enum Effect: String, Sendable, Codable {
    case readOnly
    case change
}

/// One program invocation, as an argv: nothing phase0 runs goes through a shell with an
/// operator's answer spliced into it.
public struct Command: Sendable, Equatable, Codable {
    public var argv: [String]
    public var runAs: RunAs
    public var effect: Effect
    /// Bytes for the command's standard input (for example a file's new content).
    public var input: String?
    /// Seconds before the command is stopped; nil waits forever.
    public var timeout: Int?
    /// Shown live on the terminal as it runs (package installs, image pulls).
    public var streamsOutput: Bool

    public init(
        _ argv: [String], runAs: RunAs = .invoker, effect: Effect = .readOnly,
        input: String? = nil, timeout: Int? = nil, streamsOutput: Bool = false
    ) {
        self.argv = argv
        self.runAs = runAs
        self.effect = effect
        self.input = input
        self.timeout = timeout
        self.streamsOutput = streamsOutput
    }

    /// A command that changes the machine as root.
    public static func privileged(
        _ argv: [String], input: String? = nil, timeout: Int? = nil,
        streamsOutput: Bool = false
    ) -> Command {
        Command(
            argv, runAs: .root, effect: .change, input: input, timeout: timeout,
            streamsOutput: streamsOutput)
    }

    /// A read-only probe run as root (with `sudo -n`, which never prompts).
    public static func rootProbe(_ argv: [String], timeout: Int? = 30) -> Command {
        Command(argv, runAs: .root, effect: .readOnly, timeout: timeout)
    }

    public var program: String { argv.first ?? "" }

    /// The argv actually executed by a process whose user is `invoker` (root or not).
    public func effectiveArgv(invoker: String) -> [String] {
        switch runAs {
        case .invoker:
            return argv
        case .root:
            if invoker == "root" { return argv }
            return (effect == .readOnly ? ["sudo", "-n"] : ["sudo"]) + argv
        case .user(let name):
            if invoker == name { return argv }
            return ["sudo", "-n", "-u", name, "-H", "--"] + argv
        }
    }

    /// The command as an operator would type it: every argument shell-quoted.
    public func display(invoker: String) -> String {
        let shown = effectiveArgv(invoker: invoker).map(shellQuote).joined(separator: " ")
        guard let input else { return shown }
        let lines = input.split(separator: "\n").count
        return shown + "  <<< (\(lines) line\(lines == 1 ? "" : "s") on stdin)"
    }
}

public struct CommandResult: Sendable, Equatable, Codable {
    public var exitStatus: Int32
    public var output: String
    public var timedOut: Bool

    public init(exitStatus: Int32, output: String, timedOut: Bool = false) {
        self.exitStatus = exitStatus
        self.output = output
        self.timedOut = timedOut
    }

    public var succeeded: Bool { exitStatus == 0 && !timedOut }
}

/// POSIX shell quoting: bare when every character is safe, otherwise single quotes.
public func shellQuote(_ word: String) -> String {
    if word.isEmpty { return "''" }
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")
    if word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacing("'", with: "'\\''") + "'"
}
