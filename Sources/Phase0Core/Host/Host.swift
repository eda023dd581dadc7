import Phase0Parsers

/// What the steps may learn about a file without reading it (a swapfile can be 128 GiB).
public struct FileInfo: Sendable, Equatable, Codable {
    public var size: Int64
    public var mode: UInt32  // permission bits, e.g. 0o600
    public var isDirectory: Bool
    public var owner: String
    /// The file's inode number: with the size, how phase0 recognises a file it made itself
    /// (nil where the host cannot tell).
    public var inode: UInt64?

    public init(size: Int64, mode: UInt32, isDirectory: Bool, owner: String, inode: UInt64? = nil) {
        self.size = size
        self.mode = mode
        self.isDirectory = isDirectory
        self.owner = owner
        self.inode = inode
    }
}

/// Where phase0 itself runs: the tmux server hosting it, if any, and its ancestor processes.
/// Nothing phase0 runs may stop the server or the session its own terminal is in.
public struct SelfProcess: Sendable, Equatable {
    /// From `$TMUX` (`SOCKET,SERVER_PID,SESSION_ID`, FACTS C1).
    public var tmuxSocket: String?
    public var tmuxServerPID: Int?
    /// phase0's parent, its parent, and so on up to PID 1.
    public var ancestors: [Int]

    public init(tmuxSocket: String? = nil, tmuxServerPID: Int? = nil, ancestors: [Int] = []) {
        self.tmuxSocket = tmuxSocket
        self.tmuxServerPID = tmuxServerPID
        self.ancestors = ancestors
    }

    /// Reads `$TMUX`: socket path, server PID, session id; nil when empty or malformed.
    public static func parseTMUX(_ value: String?) -> (socket: String, serverPID: Int?)? {
        guard let value, !value.isEmpty else { return nil }
        // The socket path may hold commas itself: the PID and session id are the last two fields.
        let fields = value.split(separator: ",", omittingEmptySubsequences: false)
        let socket = fields.dropLast(2).joined(separator: ",")
        guard fields.count >= 3, socket.hasPrefix("/") else { return nil }
        return (socket, Int(fields[fields.count - 2]))
    }

    /// Whether a tmux server (by socket path and/or PID) is the one phase0's terminal is in.
    public func isInside(tmuxSocket socket: String?, serverPID pid: Int?) -> Bool {
        if let socket, socket == tmuxSocket { return true }
        if let pid, pid > 1, pid == tmuxServerPID || ancestors.contains(pid) { return true }
        return false
    }
}

public struct UserInfo: Sendable, Equatable, Codable {
    public var name: String
    public var uid: Int
    public var home: String
    public init(name: String, uid: Int, home: String) {
        self.name = name
        self.uid = uid
        self.home = home
    }
}

/// The machine the procedure runs against: the live host, or the simulated Spark of practice
/// mode. Everything the steps observe or change goes through here, so a test can never touch
/// the real host unless it builds a LiveHost on purpose.
public protocol Host: AnyObject {
    /// Shown on screen so the operator always knows which machine is being changed.
    var name: String { get }
    var isPractice: Bool { get }
    /// The user phase0 runs as ("root" when run as root).
    var invoker: String { get }
    func readFile(_ path: String) -> String?
    func fileInfo(_ path: String) -> FileInfo?
    /// Full path of `program` on PATH, or nil when it is not installed.
    func which(_ program: String) -> String?
    /// The account `name`, or nil when there is no such user.
    func lookupUser(_ name: String) -> UserInfo?
    /// Runs `command`; `onOutput` receives output as it arrives when the command streams.
    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult
    /// What must be saved with the progress so a resumed run finds the same machine (the
    /// simulated Spark); nil for a real machine, which keeps its own state.
    var snapshot: (any HostSnapshot)? { get }
    /// The operator said an operator task is done; a simulated host acts it out and says what
    /// it did, a real one has nothing to add.
    func operatorTaskConfirmed(_ taskID: String) -> String?
    /// Tab completion of a typed path; nil completes from this computer's files.
    var pathCompleter: ((String) -> [String])? { get }
    /// The names in a directory (not `.` and `..`), or nil when it cannot be read.
    func listDirectory(_ path: String) -> [String]?
    /// The tmux server and processes phase0 runs inside.
    var selfProcess: SelfProcess { get }
    /// Lets `seconds` of the machine's time pass before the next look (a simulated machine
    /// has nothing that changes by itself, so it returns at once).
    func pause(seconds: Double)
}

/// A host's saved state, opaque to the engine: the factory that made the host decodes it.
public protocol HostSnapshot: Codable, Sendable {
    func isSame(as other: any HostSnapshot) -> Bool
    /// What `status` shows of the machine (in JSON; its swap areas as `swaps`).
    var summary: any Encodable { get }
    /// The machine's swap areas, as /proc/swaps would list them.
    var swaps: [SwapArea] { get }
    var swappiness: Int { get }
    /// A few lines for `status` (text): what runs on the machine.
    var statusLines: [String] { get }
}

extension HostSnapshot where Self: Equatable {
    public func isSame(as other: any HostSnapshot) -> Bool { (other as? Self) == self }
}

extension Host {
    public var snapshot: (any HostSnapshot)? { nil }
    public func operatorTaskConfirmed(_ taskID: String) -> String? { nil }
    public var pathCompleter: ((String) -> [String])? { nil }
    public func listDirectory(_ path: String) -> [String]? { nil }
    public var selfProcess: SelfProcess { SelfProcess() }
    public func pause(seconds: Double) {}

    public func run(_ command: Command) throws -> CommandResult { try run(command, onOutput: nil) }

    /// Whether a read-only probe succeeds, where failing is the answer ("does Open WebUI
    /// answer /health?": a curl that cannot connect means no). Elsewhere use `probe`, which
    /// tells "no" from "could not ask".
    public func succeeds(_ argv: [String], runAs: RunAs = .invoker, timeout: Int? = 30) -> Bool {
        probe(argv, runAs: runAs, timeout: timeout).value != nil
    }

    public func fileExists(_ path: String) -> Bool { fileInfo(path) != nil }

    public func hasProgram(_ program: String) -> Bool { which(program) != nil }
}

/// Thrown when the operator interrupts (Ctrl-C) while a command runs or a prompt waits.
public struct Interrupted: Error, Sendable {
    /// True when a command was running: its outcome is unknown and must be re-checked.
    public var duringCommand: Bool
    public init(duringCommand: Bool) { self.duringCommand = duringCommand }
}
