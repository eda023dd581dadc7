import FoundationEssentials
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

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
    /// The resume file as `load` found it (nil: absent), to notice a save by another phase0.
    private var loadedFile: FileStamp?

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
    /// A relative XDG_STATE_HOME is ignored, as the XDG spec says. Callers check
    /// `defaultLocationProblem` first; without a usable HOME this falls back to the account's
    /// home directory from the password database.
    public static func defaultPath(practice: Bool, environment: [String: String]) -> String {
        let file = practice ? "practice.json" : "state.json"
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return "\(xdg)/phase0/\(file)" }
        let home = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? accountHome()
        return "\(home)/.local/state/phase0/\(file)"
    }

    /// Why the default location cannot be worked out from this environment, or nil: without
    /// an absolute XDG_STATE_HOME it lives under HOME, which must be set and absolute (a
    /// relative one would put the progress wherever phase0 happens to be started).
    public static func defaultLocationProblem(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return nil }
        let ignored =
            environment["XDG_STATE_HOME"].map {
                $0.isEmpty ? "" : " (XDG_STATE_HOME=\"\($0)\" is relative, so it is ignored, as the XDG spec says)"
            } ?? ""
        guard let home = environment["HOME"], !home.isEmpty else {
            return
                "HOME is not set, so phase0 cannot tell where to keep its progress (~/.local/state/phase0)\(ignored). Set HOME to your home directory, or give --state FILE."
        }
        guard home.hasPrefix("/") else {
            return
                "HOME=\"\(home)\" is not an absolute path, so the progress would land wherever phase0 is started\(ignored). Set HOME to your home directory, or give --state FILE."
        }
        return nil
    }

    static func accountHome() -> String {
        if let entry = getpwuid(geteuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    /// Creates the state directory (0700) and takes the lock, or reports who holds it. With
    /// the lock held, temporary files that a killed save left behind are removed.
    public func lock() throws {
        try refuseUnusableUmask()
        try makeDirectories(directory)
        if privateDirectory { makePrivate(directory) }
        try checkDirectory()
        let lockPath = path + ".lock"
        let fd: Int32
        do { fd = try openPrivateFile(lockPath, flags: O_RDWR) } catch let error as PrivateFileError {
            throw StateWriteError(path: lockPath, reason: error.reason)
        }
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
        removeStaleTemporaryFiles(of: path, in: directory)
    }

    /// A umask that takes the owner's own bits away (umask 777) would make the state
    /// directory and files unusable by the very user who runs phase0.
    func refuseUnusableUmask() throws {
        let mask = umask(0o077)
        umask(mask)
        guard mask & 0o700 != 0 else { return }
        throw PrivateFileError(
            path: directory,
            reason:
                "the umask is \(String(mask, radix: 8)), which takes your own permissions away from every file phase0 would create (and from what its commands create). Run `umask 022` first"
        )
    }

    /// phase0 keeps its files only where nobody else can replace them: a directory of this
    /// user's, not writable by its group or by others. Elsewhere a planted symbolic link or
    /// file could make phase0 write where it should not, or read someone else's progress.
    public func checkDirectory() throws {
        var st = stat()
        guard stat(directory, &st) == 0 else {
            if errno == ENOENT { return }
            throw UnsafeStateDirectory(path: directory, problem: "cannot be read: \(errnoText())")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw UnsafeStateDirectory(path: directory, problem: "is not a directory") }
        guard st.st_uid == geteuid() else {
            throw UnsafeStateDirectory(
                path: directory,
                problem:
                    "belongs to uid \(st.st_uid), not to you (uid \(geteuid())): phase0 keeps its progress only in a directory of your own. Give --state a file in one"
            )
        }
        guard st.st_mode & 0o022 == 0 else {
            throw UnsafeStateDirectory(
                path: directory,
                problem:
                    "is writable by its group or by others (mode \(String(st.st_mode & 0o777, radix: 8))): they could replace phase0's files there. `chmod go-w` it, or give --state a file in a private directory"
            )
        }
    }

    /// The saved progress, nil when there is none yet. A file that is not a private regular
    /// file of ours, or not a progress file this version understands, is refused, untouched.
    public func load() throws -> Progress? {
        if privateDirectory { makePrivate(directory) }
        try checkDirectory()
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT {
                loadedFile = nil
                return nil
            }
            throw InputFileError(path: path, problem: "cannot be read: \(errnoText())")
        }
        loadedFile = FileStamp(st)
        if (st.st_mode & S_IFMT) == S_IFLNK {
            throw InputFileError(path: path, problem: "is a symbolic link; phase0 only trusts a regular file it wrote itself")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw InputFileError(path: path, problem: "is not a regular file")
        }
        if st.st_mode & 0o022 != 0 {
            throw InputFileError(
                path: path,
                problem:
                    "is writable by other users (mode \(String(st.st_mode & 0o777, radix: 8))); someone else could have changed your progress. Check it, then `chmod 600` it"
            )
        }
        guard st.st_uid == geteuid() else {
            throw InputFileError(path: path, problem: "belongs to another user (uid \(st.st_uid)); run phase0 as that user or use --state")
        }
        let data: Data
        switch readWholeFile(path, limit: StateStore.sizeLimit) {
        case .success(let read): data = read
        case .failure(.tooLarge(let limit)):
            throw InputFileError(
                path: path,
                problem:
                    "is larger than \(limit / (1024 * 1024)) MiB, far more than any progress file phase0 writes (tens of KB); not a progress file"
            )
        case .failure(.system(let reason)):
            throw InputFileError(path: path, problem: "cannot be read: \(reason)")
        }
        if data.isEmpty { throw InputFileError(path: path, problem: "is empty (truncated?)") }
        do {
            let decoder = JSONDecoder()
            if let snapshotType { decoder.userInfo[.hostSnapshotType] = snapshotType }
            let progress = try decoder.decode(Progress.self, from: data)
            // The decoders ignore keys they do not know below the top level; a key this
            // version would drop on the next save is refused instead (a typo, or a newer phase0).
            // A practice file read without the practice factory keeps its machine unread; the
            // caller then reports the mode mismatch, which says more than "unknown key".
            let machineUnread = progress.mode == .practice && snapshotType == nil
            if !machineUnread, let unknown = try JSONValue.firstUnknownKey(in: data, comparedTo: progress) {
                throw StateFileProblem.unknownKey(unknown.key, path: unknown.path)
            }
            return progress
        } catch let problem as StateFileProblem {
            throw InputFileError(path: path, problem: "is not a progress file phase0 can use: \(problem)")
        } catch {
            throw InputFileError(path: path, problem: "is not a valid progress file: \(describeDecodingError(error))")
        }
    }

    /// Far above any resume file (a whole practice run is ~25 KB), far below what would hurt.
    static let sizeLimit = 8 * 1024 * 1024

    /// Whether the resume file changed since `load` read it (another phase0 saved in between).
    public var changedSinceLoad: Bool {
        var st = stat()
        let now = lstat(path, &st) == 0 ? FileStamp(st) : nil
        return now != loadedFile
    }

    public func save(_ progress: Progress) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        // Notes and the practice history can quote commands and their output: mask secrets.
        do { data = try encoder.encode(progress.redacted()) } catch {
            throw StateWriteError(path: path, reason: "could not encode: \(error)")
        }
        try writeAtomically(path: path, data: Array(data) + [0x0a], mode: 0o600)
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

/// Identity and last change of a file: a save renames a new file over the old, so any save
/// changes the inode.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var seconds: Int
    var nanoseconds: Int

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        seconds = st.st_mtim.tv_sec
        nanoseconds = st.st_mtim.tv_nsec
    }
}
