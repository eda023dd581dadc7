import Phase0Parsers
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// A bad input file (resume, answers or scenario): exit 65, the file left as it was.
public struct InputFileError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}

/// Another phase0 is working on the same resume file: exit 75.
public struct LockHeld: Error, CustomStringConvertible {
    public var path: String
    public var holderPID: String
    public var description: String {
        "another phase0 (PID \(holderPID)) is using \(path); wait for it to finish, or stop it first"
    }
}

/// The resume file could not be written; the previous one is intact.
public struct StateWriteError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "could not save progress to \(path): \(reason) (the previous progress file is unchanged)" }
}

/// Reads and writes the resume file. Every save is atomic and durable: a temporary file in
/// the same directory, fsync, rename over the old one, fsync of the directory. A kill at any
/// instant leaves either the old or the new progress, never a mix.
public final class StateStore {
    public let path: String
    /// The directory is phase0's own (the default location): made 0700 even if it existed.
    public let privateDirectory: Bool
    /// How to decode a saved machine (practice runs); nil for live runs.
    public let snapshotType: (any HostSnapshot.Type)?
    private var lockFD: Int32 = -1
    private let encoder = StateEncoder()

    public init(path: String, privateDirectory: Bool = false, snapshotType: (any HostSnapshot.Type)? = nil) {
        self.path = path
        self.privateDirectory = privateDirectory
        self.snapshotType = snapshotType
    }

    deinit { if lockFD >= 0 { close(lockFD) } }

    public var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The default location: `$XDG_STATE_HOME/phase0/NAME`, else `~/.local/state/phase0/NAME`.
    public static func defaultPath(practice: Bool, environment: [String: String]) -> String {
        let file = practice ? "practice.json" : "state.json"
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return "\(xdg)/phase0/\(file)" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/root"
        return "\(home)/.local/state/phase0/\(file)"
    }

    /// Creates the state directory (0700) and takes the lock, or reports who holds it.
    public func lock() throws {
        try makeDirectories(directory)
        if privateDirectory { makePrivate(directory) }
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StateWriteError(path: lockPath, reason: errnoText()) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let pid = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingWhitespace() : "unknown"
            throw LockHeld(path: path, holderPID: pid.isEmpty ? "unknown" : pid)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        lockFD = fd
    }

    /// The saved progress, nil when there is none yet. A file that is not a private regular
    /// file of ours, or not a progress file this version understands, is refused, untouched.
    public func load() throws -> Progress? {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return nil }
            throw InputFileError(path: path, problem: "cannot be read: \(errnoText())")
        }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            throw InputFileError(path: path, problem: "is a symbolic link; phase0 only trusts a regular file it wrote itself")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw InputFileError(path: path, problem: "is not a regular file")
        }
        if st.st_mode & 0o022 != 0 {
            throw InputFileError(path: path, problem: "is writable by other users (mode \(String(st.st_mode & 0o777, radix: 8))); someone else could have changed your progress. Check it, then `chmod 600` it")
        }
        guard st.st_uid == geteuid() else {
            throw InputFileError(path: path, problem: "belongs to another user (uid \(st.st_uid)); run phase0 as that user or use --state")
        }
        guard let data = readWholeFile(path) else {
            throw InputFileError(path: path, problem: "cannot be read: \(errnoText())")
        }
        if data.isEmpty { throw InputFileError(path: path, problem: "is empty (truncated?)") }
        do {
            var decoder = StateDecoder()
            if let snapshotType { decoder.userInfo[.hostSnapshotType] = snapshotType }
            let progress = try decoder.decode(Progress.self, from: Array(data))
            // The decoders ignore keys they do not know below the top level; a key this
            // version would drop on the next save is refused instead (a typo, or a newer phase0).
            // A practice file read without the practice factory keeps its machine unread; the
            // caller then reports the mode mismatch, which says more than "unknown key".
            let machineUnread = progress.mode == .practice && snapshotType == nil
            if !machineUnread, let unknown = decoder.firstUnknownKey() {
                throw StateFileProblem.unknownKey(unknown.key, path: unknown.path)
            }
            // Notes are redacted as they are recorded; one edited by hand is redacted here, once.
            return progress.redacted()
        } catch let problem as StateFileProblem {
            throw InputFileError(path: path, problem: "is not a progress file phase0 can use: \(problem)")
        } catch {
            throw InputFileError(path: path, problem: "is not a valid progress file: \(describeDecodingError(error))")
        }
    }

    /// Notes and the practice history can quote commands and their output; both were redacted
    /// when recorded (Progress.updateStep, updateAction; a simulated host's history), so a save
    /// only encodes, and only what changed since the last one (StateEncoder).
    public func save(_ progress: Progress) throws {
        var bytes: [UInt8]
        do { bytes = try encoder.encode(progress) } catch {
            throw StateWriteError(path: path, reason: "could not encode: \(error)")
        }
        bytes.append(0x0a)
        try writeAtomically(path: path, data: bytes, mode: 0o600)
    }

    /// Moves the resume file aside (never deletes it) and says where it went.
    public func moveAside(now: String) throws -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        var target = path + ".reset-" + now.filter { $0.isNumber }
        var suffix = 1
        while access(target, F_OK) == 0 {
            target = path + ".reset-" + now.filter { $0.isNumber } + "-\(suffix)"
            suffix += 1
        }
        guard rename(path, target) == 0 else { throw StateWriteError(path: path, reason: errnoText()) }
        return target
    }
}

/// Temp file, fsync, rename, fsync of the directory: the file is either old or new.
public func writeAtomically(path: String, data: [UInt8], mode: mode_t) throws {
    let temp = path + ".tmp-\(getpid())"
    let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
    guard fd >= 0 else { throw StateWriteError(path: path, reason: errnoText()) }
    var offset = 0
    while offset < data.count {
        let n = data[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            let reason = errnoText()
            close(fd)
            unlink(temp)
            throw StateWriteError(path: path, reason: reason)
        }
        offset += n
    }
    if fchmod(fd, mode) != 0 || fsync(fd) != 0 {
        let reason = errnoText()
        close(fd)
        unlink(temp)
        throw StateWriteError(path: path, reason: reason)
    }
    close(fd)
    FaultInjection.reached("store:renaming")
    guard rename(temp, path) == 0 else {
        let reason = errnoText()
        unlink(temp)
        throw StateWriteError(path: path, reason: reason)
    }
    let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    let dirFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dirFD >= 0 {
        fsync(dirFD)
        close(dirFD)
    }
}

/// chmod 0700 of a directory that is ours (not a symlink, owned by us); a wider one would let
/// other users read the resume file's neighbours (history, transcript).
func makePrivate(_ directory: String) {
    var st = stat()
    guard lstat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid(),
          st.st_mode & 0o077 != 0 else { return }
    chmod(directory, 0o700)
}

/// mkdir -p with mode 0700 for the parts it creates.
func makeDirectories(_ path: String) throws {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if mkdir(current, 0o700) != 0 && errno != EEXIST {
            throw StateWriteError(path: path, reason: "cannot create \(current): \(errnoText())")
        }
    }
}

func readWholeFile(_ path: String) -> Data? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 { if errno == EINTR { continue }; return nil }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
        if bytes.count > 32 * 1024 * 1024 { return nil }
    }
    return Data(bytes)
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// A decoding error in words an operator can act on: which key, what was expected.
public func describeDecodingError(_ error: Error) -> String {
    if let problem = error as? StateFileProblem { return problem.description }
    guard let decoding = error as? DecodingError else { return "\(error)" }
    func at(_ path: [CodingKey]) -> String {
        let joined = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return joined.isEmpty ? "" : " at \"\(joined)\""
    }
    switch decoding {
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty ? "not valid JSON (truncated or edited?)" : "bad value\(at(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "missing key \"\(key.stringValue)\"\(at(context.codingPath))"
    case .typeMismatch(let type, let context):
        return "wrong type\(at(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context):
        return "missing value\(at(context.codingPath)): expected \(type)"
    @unknown default:
        return "\(error)"
    }
}
