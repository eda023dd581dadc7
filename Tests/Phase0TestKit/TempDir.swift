import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A private temporary directory (mkdtemp: 0700, a fresh name), removed with everything in it
/// by `remove()` or when the object goes away. Hold it for as long as its path is used:
/// `defer { dir.remove() }` says so, and keeps it alive to the end of the scope.
///
/// `memory`: on /dev/shm (tmpfs) when there is one. Each save of the resume file fsyncs twice,
/// which costs ~5 ms on a disk and nothing in memory, and proves nothing more on a disk for
/// tests that only need a place for files. Tests of the files themselves, and anything that
/// executes from the directory (/dev/shm is often noexec), use the disk.
public final class TempDir: Sendable {
    public let path: String

    public init(_ label: String = "test", memory: Bool = false) throws {
        let base = memory && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (NSTemporaryDirectory() as NSString).standardizingPath
        var template = Array("\(base)/phase0-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Program.Failure(description: "mkdtemp in \(base): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    deinit { remove() }

    /// Removes the directory and everything in it.
    public func remove() { removeTree(path) }
}

/// Removes `path` and everything under it, after making a tree a test left read-only
/// deletable again.
public func removeTree(_ path: String) {
    guard FileManager.default.fileExists(atPath: path) else { return }
    chmod(path, 0o755)
    if let walker = FileManager.default.enumerator(atPath: path) {
        while let item = walker.nextObject() as? String { chmod(path + "/" + item, 0o755) }
    }
    try? FileManager.default.removeItem(atPath: path)
}

/// Writes `text` to `path` (its directory made if missing) with `mode`: 0600, a file only its
/// owner may read and write, unless a test says otherwise.
public func write(_ text: String, to path: String, mode: Int = 0o600) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    chmod(path, mode_t(mode))
}
