@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
import Phase0Steps

/// Cut anywhere, resume to the same end (issue 5). The practice procedure runs once as the
/// reference; then it is cut at every boundary, and at random instants from outside, and
/// resumed until it ends. Every time: the same end (outcome, resume file timestamps aside,
/// simulated machine), nothing with an effect done twice unless idempotent by design, fstab
/// never with two swapfile lines. The reference is whatever the procedure reaches (today all
/// six steps, complete), so the same tests cover every step as the procedure grows.
@Suite(.serialized) struct ReliabilityTortureTests {
    /// Seeded, so a failure can be replayed: PHASE0_TORTURE_SEED=N swift test --filter Torture.
    static let seed = UInt64(ProcessInfo.processInfo.environment["PHASE0_TORTURE_SEED"] ?? "") ?? 20_261_129

    // MARK: In-process, every boundary, the machine surviving the cut (as a live one would)

    struct Reference {
        var outcome: RunOutcome
        var state: String
        var stateWithoutMachine: String
        var attempts: [String: Int]
        var machine: SimulatedSpark
        var cuts: [Cut]
        var pointCount: Int
    }

    static func reference(in directory: String) throws -> Reference {
        let path = directory + "/reference/state.json"
        let recorder = CutRecorder(statePath: path)
        let (outcome, machine, _) = try InProcessRun(statePath: path).run(machine: Rel.spark(), recorder: recorder)
        let data = try #require(Rel.read(path))
        // "store:renaming" (the new file written, not yet renamed) leaves the same resume file
        // and machine as the save before it; in-process it adds time, not cases. The fault
        // build cuts there for real (its temporary file is real).
        let cuts = recorder.cuts.filter { !$0.point.hasPrefix("store:renaming") }
        return Reference(outcome: outcome, state: try Rel.normalized(data),
                         stateWithoutMachine: try Rel.normalized(data, dropping: ["machine"]), attempts: try Rel.attempts(data),
                         machine: machine, cuts: cuts, pointCount: recorder.points.filter { !$0.hasPrefix("store:renaming") }.count)
    }

    /// The machine as the reference would have it, history aside, and without the extra
    /// backups a re-run of an interrupted file write may add (each must equal the original).
    static func comparable(_ machine: SimulatedSpark, against reference: SimulatedSpark) -> (SimulatedSpark, [String]) {
        var copy = machine
        copy.history = []
        var problems: [String] = []
        for path in copy.files.keys where path.range(of: #"\.phase0-backup\.[0-9]+$"#, options: .regularExpression) != nil {
            guard reference.files[path] == nil else { continue }
            let original = path.replacingOccurrences(of: #"\.phase0-backup\.[0-9]+$"#, with: ".phase0-backup.1", options: .regularExpression)
            if copy.files[path]?.content != reference.files[original]?.content {
                problems.append("\(path) is an extra backup that differs from the original \(original)")
            }
            copy.files[path] = nil
        }
        return (copy, problems)
    }

    /// The cuts that leave different starting points for the next run. A resumed run is fixed
    /// by what the cut left (the resume file's bytes and, live-like, the machine), so cuts that
    /// leave the same are one case: no boundary is skipped, none is run twice. Practice: the
    /// machine is the one saved in the resume file, so the file alone decides. Live-like: only
    /// cuts where the machine is ahead of the resume file (a command ran, not yet recorded)
    /// differ from the practice case, which already checks more (its history too).
    struct Case {
        var cut: Cut
        var machine: SimulatedSpark
        var boundaries: [String]
    }

    static func savedMachine(_ state: Data?) throws -> SimulatedSpark {
        guard let state else { return Rel.spark() }
        return try Progress.decodePractice(state).spark ?? Rel.spark()
    }

    static func cases(_ cuts: [Cut], liveLike: Bool) throws -> [Case] {
        var cases: [Case] = []
        var byState: [Data: [Int]] = [:]
        for cut in cuts {
            let saved = try savedMachine(cut.state)
            if liveLike && cut.machine == saved { continue }
            let machine = liveLike ? cut.machine : saved
            let key = cut.state ?? Data()
            if let same = byState[key, default: []].first(where: { cases[$0].machine == machine }) {
                cases[same].boundaries.append(cut.point)
                continue
            }
            byState[key, default: []].append(cases.count)
            cases.append(Case(cut: cut, machine: machine, boundaries: [cut.point]))
        }
        return cases
    }

    @Test func everyBoundaryInProcessResumesToTheReference() throws {
        let scratch = try TempDir("torture-inproc", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        let reference = try Self.reference(in: directory)
        #expect(reference.cuts.count == reference.pointCount)
        #expect(reference.cuts.count >= 20, "the reference run passed too few cut points: \(reference.cuts.count)")
        var random = SplitMix64(seed: Self.seed)
        var resumes = 0, chainedCuts = 0
        var counts: [String] = []
        for liveLike in [false, true] {
            let cases = try Self.cases(reference.cuts, liveLike: liveLike)
            if !liveLike {
                #expect(cases.map(\.boundaries.count).reduce(0, +) == reference.cuts.count, "a boundary has no case")
            }
            counts.append("\(liveLike ? "live-like" : "practice"): \(cases.count) cases covering \(cases.map(\.boundaries.count).reduce(0, +)) boundaries")
            for (index, first) in cases.enumerated() {
                let path = "\(directory)/\(liveLike ? "live" : "practice")-\(index)/state.json"
                var cut = first.cut
                var start = first.machine
                var cutsInChain = 1
                var snapshots: [SimulatedSpark] = [first.cut.machine]
                var final: (outcome: RunOutcome, machine: SimulatedSpark)?
                while final == nil {
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    if let state = cut.state { try state.write(to: URL(fileURLWithPath: path)) } else { try? FileManager.default.removeItem(atPath: path) }
                    resumes += 1
                    // Cut the resumed run again, at a random later instant, in a third of the cases (at most 3 cuts).
                    let again = cutsInChain < 3 && random.next() % 3 == 0
                    let recorder = again ? CutRecorder(statePath: path, only: Int(random.next() % 40)) : nil
                    let result = try InProcessRun(statePath: path).run(machine: start, recorder: recorder)
                    if let next = recorder?.cuts.first {
                        cut = next
                        // Live: the machine keeps what ran. Practice: the machine is the one saved with the progress.
                        start = liveLike ? next.machine : try Self.savedMachine(next.state)
                        cutsInChain += 1
                        chainedCuts += 1
                        snapshots.append(next.machine)
                        continue
                    }
                    final = (result.outcome, result.machine)
                }
                let also = first.boundaries.count > 1 ? " (same start as \(first.boundaries.dropFirst().joined(separator: ", ")))" : ""
                let label = "\(liveLike ? "live-like" : "practice") cut at \(first.cut.point)\(also) (\(cutsInChain) cut\(cutsInChain == 1 ? "" : "s"))"
                let (outcome, machine) = final!
                #expect(outcome == reference.outcome, "\(label): \(outcome) instead of \(reference.outcome)")
                let data = try #require(Rel.read(path))
                // The live-like machine is compared below, modulo backups; the rest must be equal.
                let state = try Rel.normalized(data, dropping: liveLike ? ["machine"] : [])
                let expectedState = liveLike ? reference.stateWithoutMachine : reference.state
                #expect(state == expectedState, "\(label): resume file differs: \(Rel.firstDifference(state, expectedState))")
                for (action, count) in try Rel.attempts(data) {
                    let allowed = (reference.attempts[action] ?? 0) + cutsInChain
                    #expect(count <= allowed, "\(label): \(action) started \(count) times")
                }
                let (seen, backupProblems) = Self.comparable(machine, against: reference.machine)
                let (expected, _) = Self.comparable(reference.machine, against: reference.machine)
                #expect(backupProblems.isEmpty, "\(label): \(backupProblems)")
                #expect(seen == expected, "\(label): the final machine differs from the reference")
                #expect(Rel.harmfulRepeats(machine.history).isEmpty, "\(label): ran twice: \(Rel.harmfulRepeats(machine.history))")
                for snapshot in snapshots + [machine] {
                    #expect(Rel.activeSwapfileLines(snapshot) <= 1, "\(label): fstab held two swapfile lines")
                }
                if !liveLike { #expect(machine.history == reference.machine.history, "\(label): practice history differs") }
            }
        }
        print("torture (in-process): \(reference.cuts.count) boundaries; \(counts.joined(separator: "; ")); \(chainedCuts) further cuts in resumed runs, \(resumes) resumed runs, all ended as the reference (\(reference.outcome))")
    }

    // MARK: The built binary, SIGKILL from outside at random instants

    @Test func randomInstantsFromOutsideResumeToTheReference() throws {
        let scratch = try TempDir("torture-kill", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        let answersPath = directory + "/answers.json"
        try write(try Rel.answersJSON(Rel.answers), to: answersPath)
        // The reference, run three times: the median duration sets the window for the timer.
        var durations: [Double] = []
        var referenceRun: Program.Finished?
        let referenceHome = directory + "/reference"
        for index in 0..<3 {
            let home = index == 0 ? referenceHome : "\(directory)/timing-\(index)"
            let started = Date()
            let run = try Program.run(Rel.practiceArgs(answersPath: answersPath), environment: Rel.environment(home: home))
            durations.append(Date().timeIntervalSince(started))
            referenceRun = referenceRun ?? run
        }
        let duration = durations.sorted()[1]
        let reference = try #require(referenceRun)
        let referenceData = try #require(Rel.read(Rel.statePath(home: referenceHome)))
        let referenceState = try Rel.normalized(referenceData)
        let referenceProgress = try Progress.decodePractice(referenceData)

        var random = SplitMix64(seed: Self.seed &+ 1)
        let wanted = Int(ProcessInfo.processInfo.environment["PHASE0_TORTURE_KILLS"] ?? "") ?? 100
        var landed = 0, missed = 0, resumedKills = 0, runs = 0, landedWithState = 0
        var whereLanded: [String: Int] = [:]
        var attempt = 0
        // Half the run is the process starting (before any resume file): go on until at least
        // half the kills also landed after the first save.
        while (landed < wanted || landedWithState < wanted / 2) && attempt < wanted * 8 {
            attempt += 1
            let home = "\(directory)/kill-\(attempt)"
            let environment = Rel.environment(home: home)
            // The first run is always cut; a resumed run is cut again in a third of the cases.
            var kills = 0
            var finished: Program.Finished?
            while finished == nil {
                let cut = kills == 0 || (kills < 4 && random.next() % 3 == 0)
                let delay = cut ? Double(random.next() % 1_000_000) / 1_000_000 * duration * 1.2 : nil
                let result = try Program.run(Rel.practiceArgs(answersPath: answersPath), environment: environment, killAfter: delay)
                runs += 1
                // Whatever a cut leaves, fstab never holds two swapfile lines.
                if let data = Rel.read(Rel.statePath(home: home)), let left = try? Progress.decodePractice(data).spark {
                    #expect(Rel.activeSwapfileLines(left) <= 1, "run \(attempt): two swapfile lines after a cut")
                }
                if result.killed {
                    if kills == 0 {
                        landed += 1
                        let place = Self.where(Rel.statePath(home: home))
                        whereLanded[place, default: 0] += 1
                        if place != "no resume file yet" { landedWithState += 1 }
                    } else {
                        resumedKills += 1
                    }
                    kills += 1
                } else if kills == 0 {
                    missed += 1   // it finished before the timer: not a cut; try another instant
                    break
                } else {
                    finished = result
                }
            }
            guard let finished else { continue }
            #expect(finished.status == reference.status, "run \(attempt): exit \(finished.status), reference \(reference.status)\n\(finished.output.suffix(600))")
            let data = try #require(Rel.read(Rel.statePath(home: home)))
            let state = try Rel.normalized(data)
            #expect(state == referenceState, "run \(attempt) after \(kills) kill(s): \(Rel.firstDifference(state, referenceState))")
            let machine = try #require(try Progress.decodePractice(data).spark)
            #expect(Rel.harmfulRepeats(machine.history).isEmpty, "run \(attempt): \(Rel.harmfulRepeats(machine.history))")
            #expect(machine == referenceProgress.spark, "run \(attempt): the simulated machine differs from the reference")
            #expect(Rel.activeSwapfileLines(machine) <= 1)
            removeTree(home)
        }
        #expect(landed >= wanted && landedWithState >= wanted / 2, "only \(landed) of \(wanted) kills landed while the wizard ran (\(landedWithState) after its first save, \(missed) missed)")
        let histogram = whereLanded.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        print("torture (binary, SIGKILL at random instants, seed \(Self.seed)): \(landed) kills landed during a run (\(landedWithState) after its first save; +\(resumedKills) more in resumed runs, \(missed) timers fired after the run ended), \(runs) runs; reference run \(Int(duration * 1000)) ms, exit \(reference.status); state at the kill: \(histogram)")
    }

    /// Where a kill left the procedure, from the resume file: which action was in flight.
    static func `where`(_ statePath: String) -> String {
        guard let data = Rel.read(statePath) else { return "no resume file yet" }
        guard let progress = try? Progress.decodePractice(data) else { return "UNREADABLE resume file" }
        for step in progress.steps {
            if let action = step.actions.first(where: { $0.status == .inFlight }) { return "\(step.number):\(action.id) in flight" }
        }
        let done = progress.steps.filter { $0.status == .done }.map(\.number)
        return done.isEmpty ? "before any action" : "between actions (steps done: \(done.map(String.init).joined(separator: ",")))"
    }
}

/// A small seeded generator (SplitMix64), so every random choice can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
