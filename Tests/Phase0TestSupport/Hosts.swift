import Phase0Core
@testable import Phase0Practice

/// A test host that wraps the practice Spark and changes only how some commands run: reads,
/// lookups, the host's identity and its snapshot go to the simulated Spark unchanged.
public protocol PracticeWrapper: Phase0Core.Host {
    var inner: PracticeHost { get }
}

extension PracticeWrapper {
    public var name: String { inner.name }
    public var isPractice: Bool { true }
    public var invoker: String { inner.invoker }
    public var snapshot: (any HostSnapshot)? { inner.snapshot }
    public func readFile(_ path: String) -> String? { inner.readFile(path) }
    public func fileInfo(_ path: String) -> FileInfo? { inner.fileInfo(path) }
    public func which(_ program: String) -> String? { inner.which(program) }
    public func lookupUser(_ name: String) -> UserInfo? { inner.lookupUser(name) }
    public func listDirectory(_ path: String) -> [String]? { inner.listDirectory(path) }
    public var selfProcess: SelfProcess { inner.selfProcess }
}

/// The practice Spark with a record of every command it was asked to run, and hooks a test
/// sets to make the machine misbehave: on `docker stop` (the agent dies with the container),
/// on `docker start` (the container crashes at once), and the creation time tmux reports for
/// a session (the agent was restarted in between).
public final class SparkWithHooks: PracticeWrapper {
    public let inner: PracticeHost
    public var onDockerStop: ((inout SimulatedSpark) -> Void)?
    public var onDockerStart: ((inout SimulatedSpark) -> Void)?
    /// `#{session_created}` per session name.
    public var sessionCreated: [String: Int] = [:]
    public private(set) var ran: [Command] = []

    public init(_ machine: SimulatedSpark) { inner = PracticeHost(machine: machine) }
    public init(wrapping inner: PracticeHost) { self.inner = inner }

    public var machine: SimulatedSpark {
        get { inner.machine }
        set { inner.machine = newValue }
    }

    /// The commands that change the machine, in order, as argv lines.
    public var changes: [String] { ran.filter { $0.effect == .change }.map { $0.argv.joined(separator: " ") } }

    public func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        ran.append(command)
        var result = try inner.run(command, onOutput: onOutput)
        let argv = command.argv
        if result.succeeded && argv.starts(with: ["docker", "stop"]) { onDockerStop?(&inner.machine) }
        if result.succeeded && argv.starts(with: ["docker", "start"]) { onDockerStart?(&inner.machine) }
        if argv.first == "tmux", argv.last == "#{session_created}", result.succeeded,
            let target = argv.firstIndex(of: "-t").map({ argv[$0 + 1] }),
            let created = sessionCreated[target.hasPrefix("=") ? String(target.dropFirst()) : target]
        {
            result.output = "\(created)\n"
        }
        return result
    }
}

/// The practice Spark, with phase0 itself running inside the tmux server of `socket` (of the
/// operator): its `$TMUX` names that server, whose PID is among phase0's ancestors.
public final class PhaseZeroInside: PracticeWrapper {
    public let inner: PracticeHost
    let socket: String
    public init(_ machine: SimulatedSpark, socket: String) {
        inner = PracticeHost(machine: machine)
        self.socket = socket
    }
    public func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        try inner.run(command, onOutput: onOutput)
    }
    public var selfProcess: SelfProcess {
        let pid = inner.machine.tmuxServerPID("vybnz69", socket: socket)
        return SelfProcess(
            tmuxSocket: inner.machine.tmuxSocket("vybnz69", socket), tmuxServerPID: pid, ancestors: pid.map { [$0 + 50, $0] } ?? [])
    }
}
