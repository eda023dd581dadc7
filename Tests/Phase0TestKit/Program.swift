import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The one way tests run another program: the built phase0 (through pipes, or on a
/// pseudo-terminal), a real tool (findmnt, systemd-analyze, docker, flock, mount), or a shell
/// that sets a limit first. posix_spawn
/// (never fork in a multithreaded test runner), no shell unless argv names one, argv[0] a path.
/// The child gets the default signal dispositions whatever the test runner ignores, its stdin
/// from `input` (or /dev/null), and stdout and stderr together in one file, so no pipe can fill
/// up and block it.
public enum Program {
    public struct Finished: Sendable {
        /// The exit status, or 128+N when signal N ended it (as a shell reports it).
        public var status: Int32
        /// The signal that ended it, when one did (9 for SIGKILL).
        public var signal: Int32?
        public var output: String
        public var killed: Bool { signal == SIGKILL }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `argv` to the end. `environment` nil: this process's own. With `killAfter`, SIGKILLs
    /// it that many seconds after the spawn; in any case after `timeout`, so a hang fails the
    /// test instead of blocking the suite.
    public static func run(
        _ argv: [String], environment: [String: String]? = nil, input: String? = nil,
        killAfter: Double? = nil, timeout: Double = 60
    ) throws -> Finished {
        let scratch = try TempDir("spawn", memory: true)
        defer { scratch.remove() }
        var stdin = "/dev/null"
        if let input {
            stdin = scratch.path + "/stdin"
            try Data(input.utf8).write(to: URL(fileURLWithPath: stdin))
        }
        let child = try spawn(argv, environment: environment, stdin: .file(stdin), output: scratch.path + "/output")
        if let killAfter {
            usleep(useconds_t(killAfter * 1_000_000))
            kill(child, SIGKILL)
        }
        let status = reap(child, timeout: timeout)
        return finished(status, output: scratch.path + "/output")
    }

    /// Starts `argv` and leaves it running, its stdin a pipe the test writes to and closes
    /// (end of input), for a wizard that must wait at a prompt or a tool that holds a lock.
    public static func start(_ argv: [String], environment: [String: String]? = nil) throws -> Running {
        let scratch = try TempDir("running", memory: true)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        // Neither end may leak into another child (the dup2 onto its stdin keeps the read end).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[0]) }
        do {
            let child = try spawn(argv, environment: environment, stdin: .descriptor(ends[0]), output: scratch.path + "/output")
            return Running(pid: child, input: ends[1], scratch: scratch)
        } catch {
            close(ends[1])
            throw error
        }
    }

    /// Starts `argv` on the terminal `terminal` (a pseudo-terminal's /dev/pts/N) as an operator's
    /// shell would: in its own session, with that terminal as its controlling tty and as its
    /// stdin, stdout and stderr, so Ctrl-C typed there is a real SIGINT. The caller reaps it.
    public static func start(_ argv: [String], environment: [String: String], terminal: String) throws -> pid_t {
        try spawn(argv, environment: environment, stdin: .terminal(terminal), output: nil)
    }

    /// The full path of a tool a test needs; a missing tool fails the test saying what to install.
    public static func tool(_ name: String, package: String) throws -> String {
        for directory in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failure(description: "\(name) is not installed: install \(package) to run this test (.ci/setup installs it)")
    }

    enum Stdin {
        case file(String)
        case descriptor(Int32)
        /// The terminal is stdin, stdout and stderr, and the controlling tty of a new session.
        case terminal(String)
    }

    /// glibc's POSIX_SPAWN_SETSID (not imported into Swift): the child calls setsid() before
    /// the file actions, so opening the terminal makes it the controlling tty.
    static let spawnSetsid: Int32 = 0x80

    static func spawn(_ argv: [String], environment: [String: String]?, stdin: Stdin, output: String?) throws -> pid_t {
        guard let program = argv.first else { throw Failure(description: "an empty argv") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        switch stdin {
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 0)
        case .terminal(let path):
            posix_spawn_file_actions_addopen(&actions, 0, path, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            flags |= spawnSetsid
        }
        if let output { posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGPIPE, SIGTERM, SIGQUIT, SIGHUP, SIGXFSZ, SIGTSTP, SIGTTIN, SIGTTOU] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let variables = environment ?? ProcessInfo.processInfo.environment
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, cArgs, cEnv)
        guard spawned == 0 else {
            let why = String(cString: strerror(spawned))
            throw Failure(description: "could not start \(program): \(why)" + (spawned == ENOENT ? " (not built or not installed?)" : ""))
        }
        return pid
    }

    /// Waits for `pid`, SIGKILLing it after `timeout`; the raw wait status.
    static func reap(_ pid: pid_t, timeout: Double) -> Int32 {
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(500)
        }
        return status
    }

    static func finished(_ status: Int32, output path: String) -> Finished {
        let output = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        let signal = status & 0x7f
        return Finished(
            status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, signal: signal == 0 ? nil : signal, output: output)
    }
}

/// A program started by `Program.start`, still running until `wait`.
public final class Running {
    public let pid: pid_t
    private var input: Int32
    private let scratch: TempDir
    private var reaped = false

    init(pid: pid_t, input: Int32, scratch: TempDir) {
        self.pid = pid
        self.input = input
        self.scratch = scratch
    }

    deinit {
        closeInput()
        if !reaped {
            kill(pid, SIGKILL)
            _ = Program.reap(pid, timeout: 5)
        }
    }

    /// Everything it printed so far.
    public var output: String {
        String(decoding: FileManager.default.contents(atPath: scratch.path + "/output") ?? Data(), as: UTF8.self)
    }

    /// Waits until `text` appears in its output; false after `timeout` seconds.
    public func waitForOutput(_ text: String, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !output.contains(text) {
            guard Date() < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// Types `text` on its stdin.
    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
    }

    /// End of input.
    public func closeInput() {
        if input >= 0 { close(input) }
        input = -1
    }

    /// Waits for it to end (SIGKILL after `timeout`).
    public func wait(timeout: Double = 60) -> Program.Finished {
        let status = Program.reap(pid, timeout: timeout)
        reaped = true
        return Program.finished(status, output: scratch.path + "/output")
    }
}

/// The phase0 binary the tests run: `$PHASE0_BINARY`, else the one `swift build` put beside
/// this test bundle (.build/CONFIG/phase0; swift test builds it with the tests).
public var phase0Binary: String {
    if let path = ProcessInfo.processInfo.environment["PHASE0_BINARY"], !path.isEmpty { return path }
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
    // Where the tests are a bundle directory, the binary is beside the bundle.
    if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
    return directory.appendingPathComponent("phase0").path
}
