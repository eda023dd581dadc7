import Testing
import Foundation

/// `phase0 runbook` rendered from a real practice run and validated as CI must: the Markdown's
/// structure, the script through the real shellcheck and bash -n, and the script's commands
/// equal to the commands the run recorded (the practice history in the resume file).
@Suite struct RunbookTests {
    static let observations = #"{"unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}"#

    /// A whole practice run on the guide's Spark, non-interactive: the runbook's source.
    func practiceRun() throws -> Sandbox {
        let sandbox = try Sandbox()
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(Self.observations, to: answers)
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", answers] + sandbox.accountScenario())
        try #require(code == 0, "\(output)")
        return sandbox
    }

    /// A history line as the script writes the command: without the stdin note.
    static func withoutStdinNote(_ line: String) -> String {
        guard let note = line.range(of: "  <<< (") else { return line }
        return String(line[..<note.lowerBound])
    }

    /// The commands a script runs, read the way bash would: comments, the if/else/fi frame,
    /// the `echo` of a guard and heredoc bodies are not commands.
    static func scriptCommands(_ script: String) -> [String] {
        var commands: [String] = []
        var heredocEnd: String?
        for raw in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let end = heredocEnd { if line == end { heredocEnd = nil }; continue }
            var command = line
            if let start = line.range(of: " <<'") {
                heredocEnd = String(line[start.upperBound...].prefix { $0 != "'" })
                command = String(line[..<start.lowerBound])
            }
            if line.hasPrefix("if ") || line.isEmpty || line.hasPrefix("#") || line.hasPrefix("echo ")
                || ["else", "fi", "set -euo pipefail"].contains(line) { continue }
            commands.append(command)
        }
        return commands
    }

    @Test func theScriptIsShellcheckCleanAndRunsExactlyTheRecordedCommands() throws {
        let sandbox = try practiceRun()
        let history = try sandbox.history()
        #expect(history.count == fullRunHistory.count, "\(history)")
        let (code, script) = try sandbox.run(["runbook", "--practice", "--format", "sh"])
        #expect(code == 0, "\(script)")
        #expect(script.hasPrefix("#!/usr/bin/env bash\n"))
        #expect(script.contains("\nset -euo pipefail\n"))
        #expect(Self.scriptCommands(script) == history.map(Self.withoutStdinNote), "\(script)")

        let path = sandbox.dir + "/phase0-runbook.sh"
        try sandbox.write(script, to: path, mode: 0o700)
        for (tool, arguments) in [("/usr/bin/shellcheck", ["-s", "bash", path]), ("/bin/bash", ["-n", path])] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(tool): \(text)")
        }
        // Every block that changes something is guarded by the wizard's check, but the Unplug test.
        let guarded = script.components(separatedBy: "\nif ").count - 1
        let blocks = script.components(separatedBy: "\nelse\n").count - 1
        #expect(guarded == blocks && guarded >= 15, "\(guarded) guards, \(blocks) blocks")
        #expect(script.contains("# A test, run every time (phase0 judges it by its result):\nsudo docker stop open-webui\nsudo docker start open-webui\n"))
        #expect(script.contains("if [ -f /etc/fstab ] && cmp -s /etc/fstab - <<'PHASE0_EOF'; then\n"))
    }

    @Test func theMarkdownHasEveryStepCommandFileAndTheKeyCommands() throws {
        let sandbox = try practiceRun()
        let history = try sandbox.history()
        let (code, text) = try sandbox.run(["runbook", "--practice"])
        #expect(code == 0, "\(text)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "# Phase 0 on spark-2b7c: runbook")
        let headings = lines.filter { $0.hasPrefix("## ") }
        #expect(headings.map { String($0.prefix(10)) } == (0...5).map { "## Step \($0):" } + ["## Unplug ", "## Key com"], "\(headings)")
        #expect(lines.filter { $0.hasPrefix("#") && !$0.hasPrefix("# ") && !$0.hasPrefix("## ") }.isEmpty, "no deeper or malformed headings")
        // Fences pair up; every table row has its header's column count.
        #expect(lines.filter { $0.hasPrefix("```") }.count % 2 == 0)
        var columns: Int?
        for line in lines {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let count = line.filter { $0 == "|" }.count
            if let columns { #expect(count == columns, "\(line)") } else { columns = count }
        }
        // Every recorded command, with its result and time, under its step.
        for command in history.map(Self.withoutStdinNote) {
            #expect(text.contains("  - `\(command)`"), "\(command) missing")
        }
        #expect(occurrences(of: ": exit 0, ", in: text) >= history.count)
        #expect(text.contains("- `/etc/fstab` (the previous one kept as `/etc/fstab.phase0-backup.1`)"))
        #expect(text.contains("- `/etc/systemd/system/vybn-agent.service` (new)"))
        #expect(text.contains("| `swapSize` | `128G` |"))
        #expect(text.contains("- Unplug check 1: laptop lid closed for 5 minutes: **done**: operator observed: yes"))
        #expect(text.contains("tmux -L vybn attach -t vybn"), "the key commands, filled in")
    }

    @Test func aSkippedStepSaysSoAndWithoutARunThereIsNothingToHandOut() throws {
        let sandbox = try Sandbox()
        let (none, message) = try sandbox.run(["runbook", "--practice"])
        #expect(none == 1 && message.contains("no resume file at"), "\(message)")
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(#"{"installMosh": "no", "unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}"#, to: answers)
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", answers] + sandbox.accountScenario())
        try #require(code == 0, "\(output)")
        let (_, text) = try sandbox.run(["runbook", "--practice"])
        #expect(text.contains("| 1 | Install mosh | skipped |"), "\(text)")
        #expect(text.contains("**Skipped.**\n\n- the whole step: "), "\(text)")
        let (_, script) = try sandbox.run(["runbook", "--practice", "--format", "sh"])
        #expect(script.contains("# == Step 1: Install mosh (skipped) ==") && script.contains("# Skipped: "), "\(script)")
        #expect(!script.contains("apt-get"))
    }
}
