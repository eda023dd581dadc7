@testable import Phase0Core
@testable import Phase0Practice
import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

/// Issue 14: a save costs what changed since the save before, not everything so far. Counted,
/// not timed: the bytes that pass through the Redactor and the bytes of JSON encoded afresh
/// between one save and the next (WorkMeter, a test hook), whatever the machine's history.
@Suite struct SaveCostTests {
    /// The work of one save (since the save before) and what it wrote.
    struct Save {
        var redacted: Int
        var encoded: Int
        var file: Data
        var freshEncoding: [UInt8]
    }

    /// Collects each save's work; the engine calls the observer at every cut point.
    final class Recorder: @unchecked Sendable {
        let meter = WorkMeter()
        let statePath: String
        var engine: Engine?
        var saves: [Save] = []
        init(statePath: String) { self.statePath = statePath }

        func observe(_ point: String) {
            guard point == "save", let engine else { return }
            // The reference encoding must not count as the save's own work.
            let fresh = WorkMeter.$current.withValue(nil) { (try? StateEncoder().encode(engine.progress)) ?? [] }
            saves.append(Save(redacted: meter.redactedBytes, encoded: meter.encodedBytes,
                              file: Rel.read(statePath) ?? Data(), freshEncoding: fresh + [0x0a]))
            meter.redactedBytes = 0
            meter.encodedBytes = 0
        }
    }

    /// The whole practice procedure with -y on `machine`, each save's work recorded.
    static func run(machine: SimulatedSpark, in directory: String) throws -> (outcome: RunOutcome, saves: [Save]) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let statePath = directory + "/state.json"
        let steps = Procedure.steps()
        let store = StateStore(path: statePath, snapshotType: SimulatedSpark.self)
        let recorder = Recorder(statePath: statePath)
        let engine = Engine(steps: steps, host: PracticeHost(machine: machine), output: CapturedOutput(),
                            reader: ScriptedLineReader([]),
                            progress: Progress(mode: .practice, stepCount: steps.count, machine: machine, now: "T"),
                            store: store, transcript: Transcript(path: statePath + ".transcript.log"),
                            answersFile: Rel.answers, options: RunOptions(assumeYes: true), clock: { "2026-01-01T00:00:00Z" })
        recorder.engine = engine
        let outcome = WorkMeter.$current.withValue(recorder.meter) {
            FaultInjection.$observer.withValue({ recorder.observe($0) }) { engine.run() }
        }
        return (outcome, recorder.saves)
    }

    /// A machine on which `count` commands already ran, as a long practice session leaves it.
    static func machine(withHistory count: Int) -> SimulatedSpark {
        var machine = SimulatedSpark()
        machine.webuiAccounts = 1  // nobody registers Open WebUI's first account during a -y run
        machine.history = (0..<count).map { "sudo systemctl restart ollama.service  # earlier command \($0)" }
        return machine
    }

    @Test func aSaveCostsWhatChangedNotEverythingRunSoFar() throws {
        let scratch = try TempDir("save-cost", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        let fresh = try Self.run(machine: Self.machine(withHistory: 0), in: directory + "/fresh")
        let long = try Self.run(machine: Self.machine(withHistory: 2000), in: directory + "/long")
        #expect(fresh.outcome == .complete && long.outcome == .complete, "\(fresh.outcome), \(long.outcome)")
        try #require(fresh.saves.count == long.saves.count)
        try #require(fresh.saves.count >= 20, "too few saves to say anything: \(fresh.saves.count)")
        // The first save writes the machine whole, its history included: the counters see it.
        #expect(long.saves[0].encoded > fresh.saves[0].encoded + 2000 * 40)
        // Every later save: the same work whether 0 or 2000 commands ran before the run.
        for index in 1..<min(fresh.saves.count, long.saves.count) {
            #expect(long.saves[index].redacted == fresh.saves[index].redacted, "save \(index): redacted bytes grow with the history")
            #expect(long.saves[index].encoded == fresh.saves[index].encoded, "save \(index): encoded bytes grow with the history")
        }
        // And bounded in absolute terms: no save re-encodes the 15 KB the machine holds.
        let largest = fresh.saves.dropFirst().map(\.encoded).max() ?? 0
        #expect(largest < 6000, "a save encoded \(largest) bytes afresh")
        print("save cost: \(fresh.saves.count) saves; after the first, at most \(largest) bytes encoded and \(fresh.saves.dropFirst().map(\.redacted).max() ?? 0) redacted per save, with 0 or 2000 commands in the history")
    }

    @Test func everySaveWritesWhatAFreshEncodingWould() throws {
        let scratch = try TempDir("save-fresh", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        let run = try Self.run(machine: Self.machine(withHistory: 3), in: directory)
        #expect(run.outcome == .complete, "\(run.outcome)")
        for (index, save) in run.saves.enumerated() {
            let same = Array(save.file) == save.freshEncoding
            #expect(same, "save \(index) differs from a fresh encoding of the same progress")
        }
        // Compact JSON that Foundation reads back as the same progress.
        let last = try #require(run.saves.last)
        let decoded = try Progress.decodePractice(last.file)
        #expect(try StateEncoder().encode(decoded) + [0x0a] == Array(last.file))
    }
}
