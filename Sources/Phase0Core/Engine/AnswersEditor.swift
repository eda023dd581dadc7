import Phase0Parsers

/// `phase0 answers`: the review screen's table outside a run, and one value changed between
/// runs, validated exactly as at its prompt.
public enum AnswersEditor {
    public static func show(_ config: WizardConfig, procedure: ProcedureDefinition, output: Output) -> Int32 {
        do {
            let (host, saved) = try config.openReadOnly()
            let progress =
                saved ?? Progress(mode: config.hosts.mode, stepCount: procedure.steps.count, machine: host.snapshot, now: utcTimestamp())
            let engine = makeEngine(procedure, host: host, progress: progress, output: output)
            output.write(
                "Values for \(host.name)"
                    + (saved == nil ? " (no run yet: the guide's defaults)" : " (saved in \(config.resolvedStatePath))") + ":\n")
            output.write(engine.reviewTable(try engine.reviewRows(typed: [])) + "\n")
            output.write("Change one with: phase0\(config.practice ? " --practice" : "") answers set KEY VALUE\n")
            return 0
        } catch {
            return exitStatus(reporting: error, to: output)
        }
    }

    public static func set(_ config: WizardConfig, procedure: ProcedureDefinition, key: String, value: String, output: Output) -> Int32 {
        let store = config.makeStore()
        do {
            try store.lock()
            let saved = try store.load()
            if let saved, saved.mode != config.hosts.mode {
                throw InputFileError(
                    path: store.path, problem: "holds a \(saved.mode.rawValue) run; add or drop --practice, or give another --state")
            }
            let host = try config.hosts.makeHost(saved: saved?.machine, scenarioPath: nil).host
            var progress =
                saved ?? Progress(mode: config.hosts.mode, stepCount: procedure.steps.count, machine: host.snapshot, now: utcTimestamp())
            guard let step = procedure.steps.first(where: { $0.questions.contains { $0.key == key } }),
                let question = step.questions.first(where: { $0.key == key })
            else {
                let known = procedure.steps.flatMap { $0.questions.map(\.key) }
                output.write(
                    "phase0: \"\(Redactor.redact(key))\" is not a value phase0 asks for; these are: \(known.joined(separator: ", "))\n")
                return ExitStatus.usage
            }
            let context = StepContext(host: host, output: output, progress: progress, options: RunOptions())
            context.stepNumber = step.number
            switch Engine.validateAnswer(question, value, context) {
            case .failure(let failure):
                output.write("Not accepted: \(failure.reason)\nNothing was changed.\n")
                return ExitStatus.usage
            case .success(let accepted):
                let old = progress.answers[key]
                progress.answers[key] = accepted
                progress.updatedAt = utcTimestamp()
                try store.save(progress)
                output.write("Set \(key) = \(accepted)" + (old.map { " (was \($0))" } ?? "") + " in \(store.path).\n")
                if old != accepted, progress.step(step.number)?.status == .done {
                    let mode = config.practice ? " --practice" : ""
                    output.write(
                        "Step \(step.number) (\(step.title)) was done with the old value: redo it with phase0\(mode) run --step \(step.number).\n"
                    )
                }
                return 0
            }
        } catch {
            return exitStatus(reporting: error, to: output)
        }
    }

    static func makeEngine(_ procedure: ProcedureDefinition, host: Host, progress: Progress, output: Output) -> Engine {
        Engine(
            steps: procedure.steps, host: host, output: output, reader: PlainLineReader(output: output), progress: progress,
            store: nil, transcript: nil, options: RunOptions(), clock: utcTimestamp)
    }
}
