import Foundation
import Phase0TestKit
#if canImport(Glibc)
import Glibc
#endif

struct PTYError: Error, CustomStringConvertible {
    var description: String
}

/// A program running on a real pseudo-terminal, driven like an operator at a keyboard:
/// `expect` waits for text on the screen, `send` types. The child gets its own session with
/// the terminal as its controlling tty, so Ctrl-C (0x03) becomes a real SIGINT from the line
/// discipline. Started by Phase0TestKit's Program, like every other program the tests run.
final class PTYSession {
    let pid: pid_t
    private let master: Int32
    /// Held open by us so reads never fail while the child is starting or exiting.
    private let slave: Int32
    private var bytes: [UInt8] = []
    private var cursor = 0
    private var exitStatus: Int32?

    /// TIOCSPTLCK and TIOCGPTN (asm-generic ioctls; function-like macros Swift cannot import).
    private static let setLock: UInt = 0x4004_5431
    private static let getNumber: UInt = 0x8004_5430

    init(_ executable: String, _ arguments: [String], environment: [String: String], columns: UInt16 = 200) throws {
        // posix_openpt/unlockpt/ptsname are hidden from Swift's Glibc module; these are what
        // they do on Linux (grantpt is a no-op with devpts).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, PTYSession.setLock, &unlock) == 0, ioctl(master, PTYSession.getNumber, &number) == 0 else {
            throw PTYError(description: "no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slavePath = "/dev/pts/\(number)"
        slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        var size = winsize(ws_row: 50, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        do {
            pid = try Program.start([executable] + arguments, environment: environment, terminal: slavePath)
        } catch {
            throw PTYError(description: "\(error)")
        }
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
        close(slave)
    }

    /// The terminal's local modes as the program left them (ECHO, ICANON...): readline turns
    /// echo and canonical mode off while it reads a line and must give them back.
    var localModes: tcflag_t {
        var modes = termios()
        tcgetattr(slave, &modes)
        return modes.c_lflag
    }

    /// Everything the program printed so far (with the terminal's \r\n).
    var transcript: String { String(decoding: bytes, as: UTF8.self) }

    /// Everything printed since the last match.
    var unread: String { String(decoding: bytes[cursor...], as: UTF8.self) }

    func send(_ text: String) {
        var data = Array(text.utf8)[...]
        while !data.isEmpty {
            let n = data.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return }
            data = data.dropFirst(n)
        }
    }

    /// Waits until `text` appears after the previous match; returns what came before it.
    @discardableResult
    func expect(_ text: String, timeout: Double = 20) throws -> String {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let found = find(needle) {
                let before = String(decoding: bytes[cursor..<found], as: UTF8.self)
                cursor = found + needle.count
                return before
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 || (exitStatus != nil && !pump(milliseconds: 50)) {
                throw PTYError(description: "did not see \"\(text)\" (\(exitStatus.map { "exited \($0)" } ?? "timed out")); screen since the last match:\n\(unread)")
            }
            if !pump(milliseconds: Int32(min(remaining, 0.2) * 1000)) { _ = reap() }
        }
    }

    /// Waits for the program to exit and returns its exit status (128+N for signal N).
    func waitForExit(timeout: Double = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while reap() == nil {
            guard Date() < deadline else { throw PTYError(description: "still running after \(timeout) s; screen:\n\(unread)") }
            _ = pump(milliseconds: 50)
        }
        while pump(milliseconds: 100) {}
        return exitStatus!
    }

    /// Reads what is there within `milliseconds`; false when nothing came.
    private func pump(milliseconds: Int32) -> Bool {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0, poller.revents & Int16(POLLIN) != 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = read(master, &chunk, chunk.count)
        guard n > 0 else { return false }
        bytes.append(contentsOf: chunk[0..<n])
        return true
    }

    private func reap() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exitStatus
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard !needle.isEmpty, bytes.count - cursor >= needle.count else { return nil }
        var index = cursor
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
