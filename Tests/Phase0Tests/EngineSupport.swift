@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

// Foundation has a Progress and a Host too; in these tests the names mean phase0's.
typealias Progress = Phase0Core.Progress
typealias Host = Phase0Core.Host

/// A deterministic clock, so saved progress does not depend on when a test runs.
final class TickClock {
    private var ticks = 0
    func now() -> String {
        ticks += 1
        return "T\(ticks)"
    }
}

/// Stands in for Steps 1–5 (written in parallel): records whether the engine ever started it.
final class StepProbe {
    var started = false

    func step(number: Int = 1) -> Step {
        Step(number: number, title: "Stub step \(number)", why: "stub why", manual: "stub manual",
             report: { _ in self.started = true; return [] },
             actions: [],
             verify: { _ in
                 self.started = true
                 return [Check(true, "stub")]
             })
    }
}

/// One engine run against a simulated Spark, with scripted input and captured output.
final class Harness {
    let dir: TempDir
    let host: PracticeHost
    let output = CapturedOutput()
    let reader: ScriptedLineReader
    let store: StateStore
    let probe = StepProbe()
    let engine: Engine

    init(machine: SimulatedSpark = SimulatedSpark(), lines: [String] = [], options: RunOptions = RunOptions(assumeYes: true),
         answers: [String: String] = [:], withStep1: Bool = true, dir: TempDir? = nil) throws {
        self.dir = try dir ?? TempDir()
        host = PracticeHost(machine: machine)
        reader = ScriptedLineReader(lines)
        store = StateStore(path: self.dir.path + "/practice.json", snapshotType: SimulatedSpark.self)
        let clock = TickClock()
        let progress = try store.load() ?? Progress(mode: .practice, stepCount: 6, machine: machine, now: "T0")
        var steps = [SwapStep.make()]
        if withStep1 { steps.append(probe.step()) }
        engine = Engine(steps: steps, host: host, output: output, reader: reader, progress: progress, store: store,
                        transcript: nil, answersFile: answers, answersPath: self.dir.path + "/answers.json",
                        options: options, clock: clock.now)
    }

    var text: String { output.text }
    var history: [String] { host.machine.history }
    func saved() throws -> Progress { try #require(try store.load()) }
    func action(_ id: String) -> ActionRecord? { engine.progress.step(0)?.action(id) }
}

extension SimulatedSpark {
    /// The guide's Spark changed as a scenario file would change it.
    static func with(_ json: String) throws -> SimulatedSpark {
        try JSONDecoder().decode(Scenario.self, from: Data(json.utf8)).apply()
    }
}

/// Step 0's change commands on the guide's Spark, in order, as shown and run.
let step0Commands = [
    "sudo fallocate -l 128G /swapfile",
    "sudo chmod 600 /swapfile",
    "sudo mkswap /swapfile",
    "sudo swapon /swapfile",
    "sudo sysctl -w vm.swappiness=10",
    "sudo install -m 0644 /dev/stdin /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new  <<< (3 lines on stdin)",
    "sudo mv -f /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new /etc/sysctl.d/99-zz-phase0-swappiness.conf",
    "sudo cp -p --no-clobber /etc/fstab /etc/fstab.phase0-backup.1",
    "sudo install -m 0644 /dev/stdin /etc/fstab.phase0-new  <<< (7 lines on stdin)",
    "sudo mv -f /etc/fstab.phase0-new /etc/fstab",
]
