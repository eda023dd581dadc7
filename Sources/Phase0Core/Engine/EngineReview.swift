import Phase0Parsers

/// The review screen: before Step 0 of a new interactive run, every value the run will use,
/// where it came from, and a way to change any of them before anything runs.
extension Engine {
    struct ReviewRow {
        var step: Int
        var question: Question
        var value: String?
        var source: String
    }

    func reviewAnswers() throws {
        let isNewRun = context.progress.steps.allSatisfy { $0.status == .pending && $0.actions.isEmpty }
        guard presentation.reviewsAnswers, isNewRun, !context.options.assumeYes, !context.options.dryRun, context.options.onlyStep == nil
        else { return }
        var typed: Set<String> = []
        while true {
            let rows = try reviewRows(typed: typed)
            sayProse("\nThe values this run will use (change any now; later: phase0 answers set KEY VALUE):")
            say(reviewTable(rows))
            let keys: [PromptKey] = [.help, .quit]
            guard
                let raw = try ask(
                    "Enter to go on, or a number or key to change, \(PromptKey.menu(keys)): ",
                    completion: .choices(rows.map(\.question.key)))
            else {
                throw RunOutcome.stopped("end of input at the review of the values")
            }
            let choice = raw.trimmingWhitespace()
            if choice.isEmpty || rows.contains(where: { $0.question.key == choice }) || PromptKey.parse(choice, among: keys) != nil {
                reader.accepted(raw)
            }
            if choice.isEmpty {
                for row in rows { if let value = row.value { context.progress.answers[row.question.key] = value } }
                try save()
                return
            }
            switch PromptKey.parse(choice, among: keys) {
            case .quit: throw RunOutcome.stopped("you quit at the review of the values; nothing ran")
            case .help:
                sayProse(
                    "     Each value is used by the step named; \"from\" says where it came from (the guide's default, "
                        + "the answers file, the resume file, or typed now). Values without one are asked at their step.")
                continue
            default: break
            }
            guard
                let row = rows.first(where: { $0.question.key == choice })
                    ?? Int(choice).flatMap({ rows.indices.contains($0 - 1) ? rows[$0 - 1] : nil })
            else {
                say("No value \"\(Redactor.redact(choice))\" here: type its number or its key.")
                continue
            }
            if try change(row) { typed.insert(row.question.key) }
        }
    }

    /// Each question's value in procedure order; later defaults may depend on earlier values.
    func reviewRows(typed: Set<String>) throws -> [ReviewRow] {
        var rows: [ReviewRow] = []
        let saved = context.progress.answers
        defer { context.progress.answers = saved }
        for step in steps {
            // A value two steps use (Ollama's URL) is one row, under the step that asks it first.
            for question in step.questions where !rows.contains(where: { $0.question.key == question.key }) {
                let key = question.key
                var row = ReviewRow(step: step.number, question: question, value: nil, source: "")
                if typed.contains(key), let value = saved[key] {
                    (row.value, row.source) = (value, "typed")
                } else if let given = answersFile[key] {
                    switch validate(question, given) {
                    case .success(let value): (row.value, row.source) = (value, "answers file")
                    case .failure(let failure): throw InputFileError(path: answersPath, problem: "\"\(key)\": \(failure.reason)")
                    }
                } else if let value = saved[key], case .success = validate(question, value) {
                    (row.value, row.source) = (value, "resume file")
                } else if let fallback = question.defaultValue(context) {
                    switch validate(question, fallback) {
                    case .success(let value): (row.value, row.source) = (value, "default")
                    case .failure(let failure): row.source = "asked at Step \(step.number): \(failure.reason)"
                    }
                } else {
                    row.source = "asked at Step \(step.number)"
                }
                if let value = row.value { context.progress.answers[key] = value }
                rows.append(row)
            }
        }
        return rows
    }

    func reviewTable(_ rows: [ReviewRow]) -> String {
        let keyWidth = rows.map(\.question.key.count).max() ?? 0
        let valueWidth = min(36, rows.compactMap { $0.value?.count }.max() ?? 0)
        return rows.enumerated().map { index, row in
            let number = String(index + 1)
            let value = row.value ?? "-"
            let line =
                String(repeating: " ", count: max(0, 3 - number.count)) + number + "  "
                + row.question.key.padding(keyWidth) + "  " + value.padding(valueWidth) + "  " + row.source
            return TextLayout.wrap(line, width: presentation.width, indent: "")
        }.joined(separator: "\n")
    }

    /// Asks one value again, validated as at its step; true when a new value was taken.
    func change(_ row: ReviewRow) throws -> Bool {
        let question = row.question
        while true {
            guard let raw = try ask("\(question.prompt)" + (row.value.map { " [\($0)]" } ?? "") + ": ", completion: question.completion)
            else {
                throw RunOutcome.stopped("end of input while changing \(question.key)")
            }
            let typed = raw.trimmingWhitespace()
            if typed.isEmpty { return false }
            if typed == "?" {
                say(question.help)
                output.write(Glossary.explainTerms(in: question.prompt + " " + question.help, indent: ""))
                continue
            }
            switch validate(question, typed) {
            case .success(let value):
                reader.accepted(raw)
                context.progress.answers[question.key] = value
                answersFile[question.key] = nil  // typed now wins over the answers file
                return true
            case .failure(let failure):
                say("Not accepted: \(failure.reason)")
            }
        }
    }
}
