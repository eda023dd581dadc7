@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// `phase0 undo all` cut at every instant the engine names (before and after each action,
/// before and after each command, after each save), then run again: it reaches the end of an
/// uncut undo. The machine is the one of the cut instant (live-like: what ran stays done) and
/// the resume file is what was on disk then.
@Suite struct UndoTortureTests {
    @Test func undoAllCutAnywhereResumesToTheSameEnd() throws {
        let done = try UndoFixture.completedRun(label: "undo-torture")
        defer { done.dir.remove() }
        let completed = try #require(Rel.read(done.statePath))

        let recorder = CutRecorder(statePath: done.statePath)
        let reference = try InProcessUndo(statePath: done.statePath).run(.all, machine: done.machine, recorder: recorder)
        #expect(reference.outcome == .complete)
        let referenceProgress = try InProcessUndo(statePath: done.statePath).progress
        #expect(recorder.cuts.count > 40, "too few cut points: \(recorder.cuts.count)")

        // Cuts that leave the same start (resume file bytes and machine) are one case, run once.
        var seen: Set<Data> = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let distinct = try recorder.cuts.filter { cut in
            seen.insert((cut.state ?? completed) + (try encoder.encode(cut.machine))).inserted
        }
        #expect(distinct.count > 20, "too few distinct starting points: \(distinct.count)")
        for (index, cut) in distinct.enumerated() {
            let path = done.dir.path + "/cut-\(index)/practice.json"
            try FileManager.default.createDirectory(atPath: done.dir.path + "/cut-\(index)", withIntermediateDirectories: true)
            try (cut.state ?? completed).write(to: URL(fileURLWithPath: path))
            let resumed = try InProcessUndo(statePath: path).run(.all, machine: cut.machine)
            #expect(resumed.outcome == .complete, "cut at \(cut.point): \(resumed.output.suffix(400))")
            #expect(UndoFixture.state(resumed.machine) == UndoFixture.state(reference.machine),
                    "cut at \(cut.point): the machine differs from the uncut undo's")
            let progress = try InProcessUndo(statePath: path).progress
            #expect(progress.steps.map(\.status) == referenceProgress.steps.map(\.status), "cut at \(cut.point)")
            #expect(progress.answers == referenceProgress.answers, "cut at \(cut.point)")
            // Nothing with an effect ran twice, except what is harmless to repeat.
            let undoHistory = resumed.machine.history.dropFirst(done.machine.history.count)
            let repeats = Dictionary(undoHistory.map { ($0, 1) }, uniquingKeysWith: +).filter { $0.value > 1 }.keys
            #expect(repeats.allSatisfy { $0.hasPrefix("sudo docker stop") || Rel.idempotentByDesign($0) },
                    "cut at \(cut.point): repeated \(repeats.sorted())")
            try? FileManager.default.removeItem(atPath: done.dir.path + "/cut-\(index)")
        }
    }
}
