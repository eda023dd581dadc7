import Phase0Core
import Phase0Parsers
import Phase0Practice
import Phase0Steps

/// The Spark a drill starts from: the guide's simulated Spark with Phase 0 done by the wizard
/// itself (every step, non-interactively, in memory), so a drill breaks exactly what the
/// wizard builds. The operator registered Open WebUI's first account, as Step 3 asks.
public enum DrillBaseline {
    public struct NotReached: Error, CustomStringConvertible {
        public var description: String
    }

    public static func phase0Done() throws -> SimulatedSpark {
        var start = SimulatedSpark()
        start.webuiAccounts = 1
        let host = PracticeHost(machine: start)
        let definition = Procedure.definition()
        let progress = Progress(mode: .practice, stepCount: definition.steps.count, machine: host.snapshot, now: "2025-11-29T12:00:00Z")
        let observed = ["unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"]
        let engine = Engine(
            steps: definition.steps, host: host, output: SilentOutput(), reader: NoInput(), progress: progress,
            store: nil, transcript: nil, answersFile: observed, options: RunOptions(assumeYes: true),
            clock: { "2025-11-29T12:00:00Z" })
        let outcome = engine.run()
        guard outcome == .complete else {
            throw NotReached(description: "could not rehearse Phase 0 on the simulated Spark before the drill: \(outcome)")
        }
        var machine = host.machine
        machine.history = []
        return machine
    }
}

final class SilentOutput: Output {
    func write(_ text: String) {}
}

/// The baseline run asks nothing: every answer is a default, a yes, or given.
final class NoInput: LineReader {
    func readLine(prompt: String, completion: Completion) throws -> String? { nil }
}
