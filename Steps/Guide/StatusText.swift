import Phase0Core
import Phase0Parsers

extension Reports {
    /// `phase0 status` for a person: each step with its actions, the answers, and (practice)
    /// the simulated machine; wrapped to the terminal, times in local time.
    static func statusText(_ progress: Progress, steps: [Step], statePath: String, width: Int) -> String {
        var lines = [
            "\(progress.mode == .practice ? "Practice" : "Live") run, saved in \(statePath)",
            "Updated \(TextLayout.localTime(progress.updatedAt))", "",
        ]
        for step in steps {
            let record = progress.step(step.number)
            lines.append("Step \(step.number)  \((record?.status ?? .pending).rawValue.padding(11))  \(step.title)")
            if let note = record?.note { lines.append(TextLayout.wrap(note, width: width, indent: "        ")) }
            let titles = Dictionary(step.actions.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
            for action in record?.actions ?? [] {
                let status = action.status == .alreadyDone ? "not needed (already in place)" : action.status?.rawValue ?? "pending"
                var line = "  - \(titles[action.id] ?? action.id): \(status)"
                if action.attempts > 1 { line += " (\(action.attempts) attempts)" }
                if let finished = action.finishedAt { line += ", \(TextLayout.localTime(finished))" }
                lines.append(TextLayout.wrap(line, width: width, indent: "    "))
            }
        }
        if !progress.answers.isEmpty {
            lines.append("")
            lines.append("Answers:")
            let width = progress.answers.keys.map(\.count).max() ?? 0
            for key in progress.answers.keys.sorted() { lines.append("  \(key.padding(width))  \(progress.answers[key]!)") }
        }
        if let machine = progress.machine {
            let verdict = SwapGate.evaluate(machine.swaps)
            lines.append("")
            lines.append(
                "Simulated Spark: swap \(ByteSize.human(kiB: verdict.totalKiB)) (\(verdict.passes ? "passes" : "below") the 64G gate), swappiness \(machine.swappiness)"
            )
            lines += machine.statusLines.map { TextLayout.wrap("  " + $0, width: width, indent: "") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
