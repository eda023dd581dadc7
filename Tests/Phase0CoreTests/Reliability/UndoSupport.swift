@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// `phase0 undo` in this process: the real Engine over UndoProcedure's steps, on a practice
/// Spark, saving to a real resume file, as UndoRun assembles it.
struct InProcessUndo {
    let statePath: String

    func run(_ target: UndoProcedure.Target, machine: SimulatedSpark, purge: Bool = false, assumeYes: Bool = true,
             input: [String] = [], recorder: CutRecorder? = nil) throws -> (outcome: RunOutcome, machine: SimulatedSpark, output: String) {
        let store = StateStore(path: statePath, snapshotType: SimulatedSpark.self)
        let progress = try #require(try store.load())
        let practice = PracticeHost(machine: machine)
        let undo = EngineRun(
            UndoProcedure.steps(for: target, purge: purge), on: practice, reader: ScriptedLineReader(input), progress: progress,
            options: RunOptions(assumeYes: assumeYes), store: store, clock: { "2026-01-02T00:00:00Z" }, texts: UndoRun.texts)
        recorder?.host = practice
        let outcome = recorder.map { recorder in FaultInjection.$observer.withValue({ recorder.observe($0) }) { undo.run() } } ?? undo.run()
        return (outcome, practice.machine, undo.text)
    }

    var progress: Phase0Core.Progress {
        get throws { try #require(try StateStore(path: statePath, snapshotType: SimulatedSpark.self).load()) }
    }
}

enum UndoFixture {
    /// A completed practice run (all six steps) on `machine`: its resume file and machine.
    static func completedRun(_ machine: SimulatedSpark = SimulatedSpark(), answers: [String: String] = Rel.answers,
                             label: String = "undo") throws -> (dir: TempDir, statePath: String, machine: SimulatedSpark) {
        let dir = try TempDir(label)
        let statePath = dir.path + "/state/practice.json"
        // Open WebUI's first account registered: nobody registers one during a -y run.
        var machine = machine
        if machine.webuiAccounts == nil { machine.webuiAccounts = 1 }
        let run = try InProcessRun(statePath: statePath, answers: answers).run(machine: machine)
        #expect(run.outcome == .complete, "the run to undo did not complete: \(run.output.suffix(600))")
        return (dir, statePath, run.machine)
    }

    /// What a reboot does to the simulated swap: only what /etc/fstab names comes back.
    static func rebooted(_ machine: SimulatedSpark) -> SimulatedSpark {
        var next = machine
        let named = Fstab.activeSwapDevices(in: machine.files["/etc/fstab"]?.content ?? "")
        next.swaps.removeAll { !named.contains($0.path) }
        return next
    }

    /// The machine as `status --json` compares it, without the command history.
    static func state(_ machine: SimulatedSpark) -> SimulatedSpark {
        var copy = machine
        copy.history = []
        for name in copy.services.keys { copy.services[name]?.restarts = 0 }
        copy.systemd.nextPID = 0
        copy.systemd.running = copy.systemd.running.mapValues { var unit = $0; unit.mainPID = 0; return unit }
        copy.systemd.journal = [:]
        for index in copy.docker.containers.indices { copy.docker.containers[index].starts = nil }
        return copy
    }
}
