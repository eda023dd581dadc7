import Phase0Core
import Phase0Parsers
import Phase0Steps

/// `phase0 runbook`: what was done on this machine, from its resume file, as a Markdown handout
/// (or, with `--format sh`, as a script: RunbookScript). Per step: why, the values chosen,
/// every command that ran with its result and time, the files written with their backups,
/// what was skipped and why, the Unplug results; then the guide's key commands filled in.
public struct Runbook {
    public var progress: Progress
    public var steps: [Step]
    public var hostName: String
    public var serveURL: String?
    public var statePath: String

    public init(progress: Progress, steps: [Step], hostName: String, serveURL: String?, statePath: String) {
        self.progress = progress
        self.steps = steps
        self.hostName = hostName
        self.serveURL = serveURL
        self.statePath = statePath
    }

    /// The answer keys a step asks (its questions, its optional question, its observations).
    static func answerKeys(of step: Step) -> [String] {
        var keys = step.questions.map(\.key)
        if let optional = step.optional { keys.insert(optional.answerKey, at: 0) }
        for action in step.actions { if case .observation(_, let key) = action.kind { keys.append(key) } }
        return keys
    }

    /// A file an action wrote (`install … /dev/stdin PATH.phase0-new`, then `mv` over PATH), and
    /// the backups it took first (`cp … PATH PATH.phase0-backup.N`).
    struct WrittenFile: Equatable {
        var path: String
        var content: String
        var backup: String?
    }

    static func writtenFiles(_ commands: [CommandRecord]) -> [WrittenFile] {
        var found: [WrittenFile] = []
        var backups: [String: String] = [:]
        for record in commands where record.changes && record.exitStatus == 0 {
            let argv = record.argv.first == "sudo" ? Array(record.argv.dropFirst()) : record.argv
            if argv.first == "cp", let backup = argv.last, backup.contains(".phase0-backup."), argv.count >= 3 {
                backups[argv[argv.count - 2]] = backup
            }
            if argv.first == "install", argv.contains("/dev/stdin"), let temporary = argv.last, temporary.hasSuffix(".phase0-new") {
                let path = String(temporary.dropLast(".phase0-new".count))
                found.removeAll { $0.path == path }
                found.append(WrittenFile(path: path, content: record.input ?? "", backup: nil))
            }
        }
        return found.map {
            var file = $0
            file.backup = backups[$0.path]
            return file
        }
    }

    public func markdown() -> String {
        var text = "# Phase 0 on \(hostName): runbook\n\n"
        text += "\(progress.mode == .practice ? "A practice run on the simulated Spark" : "A live run on this machine"), "
        text += "from `\(statePath)` (last saved \(progress.updatedAt)). "
        text += "The guide: \"Phase 0: Make Vybn Always-On\". Written by `phase0 runbook`.\n\n"
        text += "| Step | Title | Status |\n|---|---|---|\n"
        for step in steps {
            text += "| \(step.number) | \(step.title) | \(progress.step(step.number)?.status.rawValue ?? "pending") |\n"
        }
        for step in steps { text += "\n" + section(step) }
        text += "\n## Unplug results\n\n"
        let unplug = steps.last.flatMap { progress.step($0.number) }
        for action in steps.last?.actions ?? [] {
            let record = unplug?.action(action.id)
            text +=
                "- \(action.title): **\(record?.status?.rawValue ?? "not yet")**" + (record?.note.map { ": \(Self.inline($0))" } ?? "")
                + "\n"
        }
        text += "\n## Key commands for this machine\n\n"
        if let answers = try? GuideAnswers(progress.answers) {
            text += "```sh\n" + KeyCommands.render(answers, hostName: hostName, serveURL: serveURL) + "```\n"
        } else {
            text += "(The saved answers cannot be used; see `phase0 reference`.)\n"
        }
        return text
    }

    func section(_ step: Step) -> String {
        let record = progress.step(step.number)
        var text = "## Step \(step.number): \(step.title)\n\n"
        text += "Status: **\(record?.status.rawValue ?? "pending")**" + (record?.note.map { ". \(Self.inline($0))" } ?? "") + "\n\n"
        text += "**Why.** " + Self.inline(Self.withoutWhyPrefix(step.why)) + "\n\n"
        let keys = Self.answerKeys(of: step).filter { progress.answers[$0] != nil }
        if !keys.isEmpty {
            text += "**Values chosen.**\n\n| Answer | Value |\n|---|---|\n"
            for key in keys { text += "| `\(key)` | `\(Self.code(progress.answers[key]!))` |\n" }
            text += "\n"
        }
        var skipped: [String] = []
        var all: [CommandRecord] = []
        text += "**What happened.**\n\n"
        for action in step.actions {
            guard let done = record?.action(action.id) else { continue }
            let status = done.status?.rawValue ?? "not started"
            text += "- \(action.title): **\(status)**" + (done.note.map { ": \(Self.inline($0))" } ?? "") + "\n"
            for command in done.commands ?? [] {
                let stdin = command.input.map { " (\($0.split(separator: "\n").count) lines on stdin)" } ?? ""
                text +=
                    "  - `\(Self.code(command.argv.map(shellQuote).joined(separator: " ")))`\(stdin): exit \(command.exitStatus), \(command.at)"
                    + (command.attempt > 1 ? " (attempt \(command.attempt), after a cut)" : "") + "\n"
            }
            all += done.commands ?? []
            if done.status == .skipped { skipped.append("\(action.title): \(done.note ?? "skipped")") }
        }
        if record?.actions.isEmpty ?? true { text += "- nothing ran yet\n" }
        if record?.status == .skipped { skipped.insert("the whole step: \(record?.note ?? "skipped by the operator")", at: 0) }
        let files = Self.writtenFiles(all)
        if !files.isEmpty {
            text += "\n**Files written.**\n\n"
            for file in files {
                text += "- `\(file.path)`" + (file.backup.map { " (the previous one kept as `\($0)`)" } ?? " (new)") + "\n"
            }
        }
        if !skipped.isEmpty { text += "\n**Skipped.**\n\n" + skipped.map { "- \(Self.inline($0))\n" }.joined() }
        return text
    }

    /// The steps' texts start "Why: "; the heading says it already.
    static func withoutWhyPrefix(_ text: String) -> String {
        text.hasPrefix("Why: ") ? String(text.dropFirst(5)).capitalizedFirst : text
    }

    /// One line of Markdown text: newlines folded.
    static func inline(_ text: String) -> String {
        text.split(separator: "\n").map { $0.trimmingWhitespace() }.joined(separator: " ")
    }

    /// Text inside a code span: a backtick would end it.
    static func code(_ text: String) -> String { inline(text).replacing("`", with: "'") }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
