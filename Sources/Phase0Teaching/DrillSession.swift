import Phase0Core
import Phase0Parsers
import Phase0Practice

#if canImport(Glibc)
import Glibc
#endif

/// `phase0 drill [NAME]`: the list with results, or one drill played and its result saved.
public enum DrillSession {
    /// The drills, each with its step, result so far and what it teaches.
    public static func list(resultsPath: String, output: Output) -> Int32 {
        do {
            let drills = try Drill.builtIns()
            let results = try DrillResults.load(resultsPath)
            output.write("Drills: a broken simulated Spark to diagnose and fix (phase0 drill NAME). Results: \(resultsPath)\n\n")
            let width = (drills.map(\.name.count).max() ?? 0) + 2
            for drill in drills {
                let record = results.drills[drill.name]
                let state = record.map { $0.done ? "done, best \($0.best)" : "tried \($0.attempts)x" } ?? "not yet"
                output.write("  Step \(drill.step)  " + drill.name.padding(width) + state.padding(16) + drill.teaches + "\n")
            }
            let done = drills.filter { results.drills[$0.name]?.done == true }.count
            output.write("\n\(done) of \(drills.count) done.\n")
            return 0
        } catch {
            return exitStatus(reporting: error, to: output)
        }
    }

    /// Plays `drill` (a built-in name, or a file with `fromFile`) and records the result.
    public static func play(
        _ name: String, fromFile: Bool, resultsPath: String, historyDirectory: String,
        output: Output, clock: () -> String = utcTimestamp
    ) -> Int32 {
        InterruptFlag.install()
        do {
            let drill = fromFile ? try Drill.load(path: name) : try Drill.builtIn(name)
            let (machine, failures) = drill.prepare(try DrillBaseline.phase0Done())
            guard failures.isEmpty else {
                output.write(
                    "phase0: drill \(drill.name): its setup has commands the drill prompt does not know: \(failures.joined(separator: "; "))\n"
                )
                return ExitStatus.badInput
            }
            // The drill's own history (never the wizard's), kept only when its file is safe to use.
            let kept = AnswerHistory(path: historyDirectory + "/drill-history")
            let reader: LineReader =
                isatty(0) == 1
                ? ReadlineLineReader(history: kept.problem() == nil ? kept : nil, paths: nil) : PlainLineReader(output: output)
            let runner = DrillRunner(drill: drill, machine: machine, reader: reader, output: output)
            try runner.play()
            if fromFile {
                output.write("(A drill played from a file is not recorded.)\n")
            } else {
                let record = try DrillResults.record(
                    drill.name, score: runner.score, done: runner.finished,
                    commands: runner.commands, at: clock(), path: resultsPath)
                output.write(
                    "Best so far: \(record.best)/100 after \(record.attempts) attempt\(record.attempts == 1 ? "" : "s"). Saved in \(resultsPath).\n"
                )
            }
            return runner.finished ? 0 : 1
        } catch is Interrupted {
            output.write("\nInterrupted: nothing recorded for this attempt.\n")
            return ExitStatus.interrupted
        } catch {
            return exitStatus(reporting: error, to: output)
        }
    }
}
