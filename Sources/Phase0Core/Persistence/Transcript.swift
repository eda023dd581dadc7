import Phase0Parsers

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

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    public convenience init?(path: String) {
        guard let fd = try? openPrivateFile(path, flags: O_WRONLY | O_APPEND) else { return nil }
        self.init(fd: fd, path: path)
    }

    /// The transcript beside the resume file, or why it cannot be kept (a symbolic link in its
    /// place, no permission): a run that cannot record its commands does not start.
    public static func opened(_ path: String) throws -> Transcript {
        Transcript(fd: try openPrivateFile(path, flags: O_WRONLY | O_APPEND), path: path)
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
        // Redacted before it is cut: a secret whose keyword falls before the cut would no
        // longer be recognised in the part that is kept.
        var output = Redactor.redact(result.output)
        if output.utf8.count > Transcript.outputLimit {
            output = String(decoding: Array(output.utf8.suffix(Transcript.outputLimit)), as: UTF8.self)
            output = "[… truncated …]\n" + output
        }
        let indented = output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n")
        append("[\(time)] exit \(result.exitStatus)\(result.timedOut ? " (timed out)" : "")\n\(indented)\n")
    }
}

extension Progress {
    /// This progress as it may be written to disk: notes pass through the Redactor
    /// (a simulated host redacts its history as it records it). Answers are not touched: an answer that looks like a secret
    /// is refused when given (Engine), so none is ever here.
    func redacted() -> Progress {
        var copy = self
        for index in copy.steps.indices {
            copy.steps[index].note = copy.steps[index].note.map(Redactor.redact)
            for action in copy.steps[index].actions.indices {
                copy.steps[index].actions[action].note = copy.steps[index].actions[action].note.map(Redactor.redact)
            }
        }
        return copy
    }
}
