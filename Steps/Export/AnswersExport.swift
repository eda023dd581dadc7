import FoundationEssentials
import Phase0Core
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// `phase0 export answers [FILE|-]`: the answers of a run (finished or not) as an answers
/// file for the next Spark. Only values a second machine reuses: never what the operator saw
/// on this one (the Unplug observations) nor the decisions about what was found here (replace
/// a tmux server or a container). Plain JSON, keys sorted, that `--answers` takes as it is.
public enum AnswersExport {
    /// Person-only or machine-specific: asked again on every machine. In the answer table these
    /// are the decisions made inside an action and the observations (AnswerKey.Asker).
    public static let notExported: Set<String> = Set(
        AnswerKey.allCases.filter { key in
            switch key.entry.askedBy {
            case .decision, .observation: return true
            case .question, .optionalStep, .checksOnly: return false
            }
        }.map(\.rawValue))

    /// The exportable answers of `progress`, each a key `--answers` knows.
    public static func answers(of progress: Progress) -> [String: String] {
        let known = Procedure.answerKeys()
        return progress.answers.filter { known.contains($0.key) && !notExported.contains($0.key) }
    }

    public static func json(_ answers: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(answers), as: UTF8.self) + "\n"
    }

    /// Writes the file for `destination` (nil or "-": standard output).
    public static func run(_ config: WizardConfig, destination: String?, output: Output, notes: Output) -> RunOutcome {
        let progress: Progress
        do {
            guard let loaded = try config.makeStore().load() else {
                let reason =
                    "no resume file at \(config.resolvedStatePath): there are no answers to export yet. Run phase0\(config.practice ? " --practice" : "") first."
                notes.write("phase0: \(reason)\n")
                return .failed(reason)
            }
            progress = loaded
        } catch {
            return .reporting(error, to: notes)
        }
        let exported = answers(of: progress)
        let text: String
        do { text = try json(exported) } catch {
            notes.write("phase0: cannot write the answers as JSON: \(error)\n")
            return .failed("cannot write the answers as JSON: \(error)")
        }
        let left = progress.answers.keys.filter { notExported.contains($0) }.sorted()
        let summary =
            "\(exported.count) answer\(exported.count == 1 ? "" : "s") exported"
            + (left.isEmpty ? "" : "; not exported (asked again on every machine): \(left.joined(separator: ", "))")
        guard let destination, destination != "-" else {
            output.write(text)
            notes.write("# \(summary)\n")
            return .complete
        }
        do {
            try writeNew(destination, text)
        } catch {
            notes.write("phase0: \(error)\n")
            return .failed("\(error)")
        }
        notes.write("Wrote \(destination): \(summary). On the next Spark: phase0 --answers \(shellQuote(destination))\n")
        return .complete
    }

    struct WriteError: Error, CustomStringConvertible { var description: String }

    /// A new file, whole or not at all, never over an existing one: the text goes to a
    /// temporary file beside it, is synced, and is linked into place (link fails if the name exists).
    static func writeNew(_ path: String, _ text: String) throws {
        let temporary = path + ".phase0-new.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw WriteError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        fchmod(fd, 0o644)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard offset == bytes.count, synced else {
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        guard link(temporary, path) == 0 else {
            let why =
                errno == EEXIST
                ? "it exists; phase0 never overwrites a file (choose another name, or move it aside)" : String(cString: strerror(errno))
            throw WriteError(description: "cannot write \(path): \(why)")
        }
    }
}
