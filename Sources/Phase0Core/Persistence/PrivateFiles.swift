import FoundationEssentials
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// A file of phase0's own (the lock, the transcript, the history, a temporary resume file)
/// that cannot be used as it is.
public struct PrivateFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot use \(path): \(reason)" }
}

/// The state directory cannot be trusted: someone else could replace the files in it.
public struct UnsafeStateDirectory: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}

/// Opens (creating it 0600 when needed) a file of phase0's own in its state directory: never
/// through a symbolic link, only a regular file of this user, private whatever the umask.
func openPrivateFile(_ path: String, flags: Int32) throws -> Int32 {
    // Non-blocking only for the open itself: a FIFO planted in its place must not hang phase0.
    let fd = open(path, flags | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
    guard fd >= 0 else {
        let reason = errno == ELOOP ? "it is a symbolic link; phase0 never follows a link in its state directory" : errnoText()
        throw PrivateFileError(path: path, reason: reason)
    }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() else {
        close(fd)
        throw PrivateFileError(path: path, reason: "it is not a regular file of yours; move it away")
    }
    fchmod(fd, 0o600)
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return fd
}

/// Temp file, fsync, rename, fsync of the directory: the file is either old or new.
public func writeAtomically(path: String, data: [UInt8], mode: mode_t) throws {
    let temp = path + ".tmp-\(getpid())"
    let fd: Int32
    do { fd = try openPrivateFile(temp, flags: O_WRONLY | O_TRUNC) } catch let error as PrivateFileError {
        throw StateWriteError(path: path, reason: error.reason)
    }
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

/// Temporary files `NAME.tmp-PID` that a save killed halfway left beside `path`. Called with
/// the lock held, so no other phase0 is writing one of them now.
func removeStaleTemporaryFiles(of path: String, in directory: String) {
    let prefix = (path.split(separator: "/").last.map(String.init) ?? path) + ".tmp-"
    guard let dir = opendir(directory) else { return }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else { continue }
        let full = directory + "/" + name
        var st = stat()
        if lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() { unlink(full) }
    }
}

/// chmod 0700 of a directory that is ours (not a symlink, owned by us); a wider one would let
/// other users read the resume file's neighbours (history, transcript).
func makePrivate(_ directory: String) {
    var st = stat()
    guard lstat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid(),
        st.st_mode & 0o077 != 0
    else { return }
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

/// Why a file cannot be read whole: the errno of the failing call, or its size.
enum ReadFailure: Error {
    case system(String)
    case tooLarge(limit: Int)
}

/// The file's bytes, read without following a symbolic link, at most `limit` bytes.
func readWholeFile(_ path: String, limit: Int = 32 * 1024 * 1024) -> Result<Data, ReadFailure> {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else { return .failure(.system(errnoText())) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { return .failure(.system(errnoText())) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.system("not a regular file")) }
    if st.st_size > limit { return .failure(.tooLarge(limit: limit)) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 {
            if errno == EINTR { continue }
            return .failure(.system(errnoText()))
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
        if bytes.count > limit { return .failure(.tooLarge(limit: limit)) }
    }
    return .success(Data(bytes))
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
        return context.codingPath.isEmpty
            ? "not valid JSON (truncated or edited?)" : "bad value\(at(context.codingPath)): \(context.debugDescription)"
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
