import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// The real machine. Commands are spawned directly (posix_spawn, no shell), with their
/// output captured for the transcript and, when asked, echoed live to the operator.
public final class LiveHost: Host {
    public let name: String
    public let isPractice = false
    public let invoker: String
    /// Bytes of a command's output kept for messages and the transcript.
    static let outputLimit = 64 * 1024

    public init() {
        invoker = LiveHost.currentUserName()
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid\(geteuid())"
    }

    public func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > 16 * 1024 * 1024 { return nil }  // not a config file
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func fileInfo(_ path: String) -> FileInfo? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        var owner = "uid\(st.st_uid)"
        if let entry = getpwuid(st.st_uid), let name = entry.pointee.pw_name { owner = String(cString: name) }
        return FileInfo(
            size: Int64(st.st_size), mode: UInt32(st.st_mode) & 0o7777,
            isDirectory: (st.st_mode & S_IFMT) == S_IFDIR, owner: owner, inode: UInt64(st.st_ino))
    }

    public func which(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = String(cString: getenv("PATH") ?? strdup("/usr/local/bin:/usr/bin:/bin"))
        // Typed: untyped, `split + [literals]` infers [Any] and each directory prints as a character array.
        let searched: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in searched {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    public func lookupUser(_ name: String) -> UserInfo? {
        guard let entry = getpwnam(name) else { return nil }
        return UserInfo(name: name, uid: Int(entry.pointee.pw_uid), home: String(cString: entry.pointee.pw_dir))
    }

    public func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        try ProcessRunner.run(
            argv: command.effectiveArgv(invoker: invoker), input: command.input,
            timeout: command.timeout, onOutput: command.streamsOutput ? onOutput : nil,
            outputLimit: LiveHost.outputLimit)
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public var program: String
    public var code: Int32
    public var description: String { "could not start \(program): \(String(cString: strerror(code)))" }
}

/// posix_spawn with merged stdout/stderr, optional stdin bytes, a timeout, and Ctrl-C (or
/// SIGTERM, SIGHUP, SIGQUIT) passed on to the child, which is waited for before phase0 leaves.
enum ProcessRunner {
    static func run(
        argv: [String], input: String?, timeout: Int?, onOutput: ((String) -> Void)?,
        outputLimit: Int
    ) throws -> CommandResult {
        var outPipe: [Int32] = [0, 0]
        var inPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw SpawnError(program: argv[0], code: errno) }
        if input != nil { guard makePipe(&inPipe) else { throw SpawnError(program: argv[0], code: errno) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)

        // The child starts with default signal handling, whatever the wizard set up: handlers
        // are reset by exec anyway, but what phase0 ignores (SIGPIPE here, SIGXFSZ from the
        // start) would be inherited, and a child writing past `ulimit -f` must stop, as it
        // would when started from a shell.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in InterruptFlag.handledSignals + [SIGPIPE, SIGXFSZ] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // ...and with no signal blocked: a thread that blocks SIGINT (a dispatch worker, a
        // test runner) would otherwise pass the block on, and Ctrl-C could not stop the child.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArgs { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, environ)
        close(outPipe[1])
        if input != nil { close(inPipe[0]) }
        guard spawned == 0 else {
            close(outPipe[0])
            if input != nil { close(inPipe[1]) }
            if spawned == ENOENT { return CommandResult(exitStatus: 127, output: "\(argv[0]): command not found\n") }
            throw SpawnError(program: argv[0], code: spawned)
        }
        if let input {
            // Config-sized inputs fit the pipe buffer; a child that ignores stdin gets EPIPE, not us.
            signal(SIGPIPE, SIG_IGN)
            let bytes = Array(input.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
                if n <= 0 {
                    if errno == EINTR { continue }
                    break
                }
                offset += n
            }
            close(inPipe[1])
        }

        var captured = OutputTail(limit: outputLimit)
        let deadline = timeout.map { monotonicSeconds() + Double($0) }
        var timedOut = false
        var interrupted = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        var pollFD = pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0)
        readLoop: while true {
            if InterruptFlag.isRaised && !interrupted {
                interrupted = true
                kill(pid, InterruptFlag.forChild)
                break readLoop
            }
            if let deadline, monotonicSeconds() > deadline {
                timedOut = true
                kill(pid, SIGTERM)
                break readLoop
            }
            let ready = poll(&pollFD, 1, 200)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            let n = read(outPipe[0], &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if n == 0 { break }
            let chunk = buffer[0..<n]
            onOutput?(String(decoding: chunk, as: UTF8.self))
            captured.append(chunk)
        }
        close(outPipe[0])
        let status = reap(pid, graceSeconds: (interrupted || timedOut) ? 5 : nil)
        if interrupted { throw Interrupted(duringCommand: true) }
        captured.finish()
        var text = String(decoding: captured.bytes, as: UTF8.self)
        if captured.dropped { text = "[… earlier output truncated …]\n" + text }
        if timedOut { text += "\n[phase0: stopped after \(timeout ?? 0) s]\n" }
        return CommandResult(exitStatus: status, output: text, timedOut: timedOut)
    }

    /// Waits for the child; with a grace period, escalates to SIGKILL when it is over.
    /// A signal that arrives while it waits (the child closed its output but goes on) is
    /// passed on too, with the same grace period.
    static func reap(_ pid: pid_t, graceSeconds: Double?) -> Int32 {
        var killAt = graceSeconds.map { monotonicSeconds() + $0 }
        var status: Int32 = 0
        while true {
            let flags: Int32 = killAt == nil ? 0 : WNOHANG
            let result = waitpid(pid, &status, flags)
            if result == pid { break }
            if result < 0 && errno != EINTR { return -1 }
            if killAt == nil && InterruptFlag.isRaised {
                kill(pid, InterruptFlag.forChild)
                killAt = monotonicSeconds() + 5
            }
            if let killAt {
                if monotonicSeconds() > killAt { kill(pid, SIGKILL) }
                usleep(50_000)
            }
        }
        if (status & 0x7f) == 0 { return (status >> 8) & 0xff }  // exited
        return 128 + (status & 0x7f)  // killed by a signal
    }
}

/// The last `limit` bytes of a command's output, kept for messages and the transcript. Text is
/// dropped from the front only after it was redacted: a secret whose keyword falls off the
/// front would no longer be recognised in the half that is kept.
struct OutputTail {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = false

    init(limit: Int) { self.limit = limit }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
        // Trimmed in large steps (at twice the limit), so redaction runs once per `limit` bytes.
        guard bytes.count > 2 * limit else { return }
        // The last line may still be arriving (a token cut by the pipe): it stays as it is.
        // Output with no line end at all is taken whole once it grows far past the limit.
        let complete = bytes.lastIndex(of: 0x0a).map { $0 + 1 } ?? (bytes.count > 8 * limit ? bytes.count : 0)
        guard complete > 0 else { return }
        let head = Array(bytes[..<complete])
        if Redactor.endsInsidePrivateKey(head) && bytes.count < 16 * limit { return }
        var kept = Array(Redactor.redact(String(decoding: head, as: UTF8.self)).utf8)
        let pending = bytes[complete...]
        let excess = kept.count + pending.count - limit
        if excess > 0 {
            // From the start of a line where there is one, so the window starts cleanly.
            let start = min(kept.count, excess)
            kept.removeFirst(kept[start...].firstIndex(of: 0x0a).map { $0 + 1 } ?? start)
            dropped = true
        }
        bytes = kept + pending
    }

    /// The output is complete: whatever is over the limit goes now, redacted first.
    mutating func finish() {
        guard bytes.count > limit else { return }
        var kept = Array(Redactor.redact(String(decoding: bytes, as: UTF8.self)).utf8)
        if kept.count > limit {
            let start = kept.count - limit
            kept.removeFirst(kept[start...].firstIndex(of: 0x0a).map { $0 + 1 } ?? start)
            dropped = true
        }
        bytes = kept
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// pipe(2) with both ends close-on-exec, so no other child inherits them.
func makePipe(_ fds: inout [Int32]) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return true
}
