import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// readline's history of answers, in a file named after the resume file (`state.json.history`,
/// `practice.json.history`, `p.json.history` for `--state p.json`): practice and live keep
/// separate histories, and a resume file in a project directory never appends to that
/// directory's unrelated `history`. Only answers and choices the engine accepted are kept,
/// never a refused or secret-looking line. The file is read and written by phase0 itself,
/// not by readline's own functions, so it is never opened through a symbolic link and is
/// always a private regular file of this user.
public final class AnswerHistory {
    public let path: String
    /// Answers kept between runs: enough to recall any answer of the procedure.
    static let keptLines = 200
    static let readLimit = 64 * 1024

    public init(path: String) { self.path = path }

    /// The history beside the resume file at `statePath`.
    public static func besideResumeFile(_ statePath: String) -> AnswerHistory { AnswerHistory(path: statePath + ".history") }

    /// Why the history file cannot be used (a link or something else planted in its place),
    /// or nil; the run goes on without a history after saying so.
    public func problem() -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) == S_IFLNK { return "\(path) is a symbolic link; phase0 never follows a link in its state directory" }
        if (st.st_mode & S_IFMT) != S_IFREG || st.st_uid != geteuid() { return "\(path) is not a regular file of yours" }
        return nil
    }

    public static func mayKeep(_ line: String) -> Bool {
        !line.trimmingWhitespace().isEmpty && !hasControlCharacters(line) && Redactor.secretKind(in: line) == nil
    }

    /// The last lines of the history that may be kept (a file written by an older phase0 may
    /// hold a line that should never have been kept: it is not offered again).
    func load() -> [String] {
        guard problem() == nil, case .success(let data) = readWholeFile(path, limit: 16 * 1024 * 1024) else { return [] }
        let text = String(decoding: data.suffix(AnswerHistory.readLimit), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init).filter(AnswerHistory.mayKeep)
        return Array(lines.suffix(AnswerHistory.keptLines))
    }

    func append(_ line: String) {
        guard let fd = try? openPrivateFile(path, flags: O_WRONLY | O_APPEND) else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
