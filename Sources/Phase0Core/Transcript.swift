#if canImport(Glibc)
import Glibc
#endif

/// An append-only record of every command: when, what, exit status, output (truncated).
/// Each entry is written as it happens, so the record survives a crash. Anything that looks
/// like a secret is redacted before it reaches the disk.
public final class Transcript {
    private let fd: Int32
    public let path: String
    static let outputLimit = 4096

    public init?(path: String) {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return nil }
        fchmod(fd, 0o600)
    }

    deinit { close(fd) }

    public func append(_ text: String) {
        let bytes = Array(Redactor.redact(text).utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fdatasync(fd)
    }

    public func started(_ display: String, at time: String) {
        append("[\(time)] $ \(display)\n")
    }

    public func finished(_ result: CommandResult, at time: String) {
        var output = result.output
        if output.utf8.count > Transcript.outputLimit {
            output = String(decoding: Array(output.utf8.suffix(Transcript.outputLimit)), as: UTF8.self)
            output = "[… truncated …]\n" + output
        }
        let indented = output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n")
        append("[\(time)] exit \(result.exitStatus)\(result.timedOut ? " (timed out)" : "")\n\(indented)\n")
    }
}

/// Secret-looking text, masked: auth keys, passwords, tokens, bearer credentials.
public enum Redactor {
    nonisolated(unsafe) static let patterns: [Regex<AnyRegexOutput>] = [
        #"tskey-[A-Za-z0-9_-]+"#,
        #"(?i)(authorization:\s*(bearer|basic)\s+)[^\s'"]+"#,
        #"(?i)((?:pass(?:word|wd)?|secret|token|api[_-]?key|auth[_-]?key|authkey)\s*[=:]\s*)[^\s'"]+"#,
        #"(?i)(--(?:auth-?key|password|token|secret)[= ])[^\s'"]+"#,
        #"sk-[A-Za-z0-9_-]{16,}"#,
        #"gh[pousr]_[A-Za-z0-9]{20,}"#,
    ].map { try! Regex($0) }

    public static func redact(_ text: String) -> String {
        var result = text
        for pattern in patterns {
            result = result.replacing(pattern) { match in
                // Keep the key name ("password=") and mask only the value.
                if match.output.count > 1, let prefix = match.output[1].substring { return prefix + "[REDACTED]" }
                return "[REDACTED]"
            }
        }
        return result
    }
}
