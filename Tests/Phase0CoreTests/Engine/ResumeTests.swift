@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

struct ResumeCut: Error {}

/// The simulated Spark behind a numbered sequence of points: before every read or command,
/// and after every command. At point `cutAt` the wizard is "killed": the resume file on disk
/// and the machine are photographed as a kill at that instant would leave them, and from
/// then on no command runs (whatever the doomed engine still does is thrown away). At every
/// point it also checks the invariants a kill must never be able to break.
final class CuttingHost: Phase0Core.Host {
    let inner: PracticeHost
    let cutAt: Int?
    let statePath: String
    let interruptProgram: String?
    private(set) var points = 0
    private(set) var fileAtCut: Data??
    private(set) var machineAtCut: SimulatedSpark?
    private(set) var violations: [String] = []

    init(machine: SimulatedSpark, cutAt: Int? = nil, statePath: String, interruptProgram: String? = nil) {
        inner = PracticeHost(machine: machine)
        self.cutAt = cutAt
        self.statePath = statePath
        self.interruptProgram = interruptProgram
    }

    var machine: SimulatedSpark { inner.machine }
    var snapshot: (any HostSnapshot)? { inner.snapshot }
    var name: String { inner.name }
    var isPractice: Bool { true }
    var invoker: String { inner.invoker }
    var isCut: Bool { machineAtCut != nil }

    /// Returns true when the wizard is dead at (or since) this point.
    private func point(_ what: String) -> Bool {
        if isCut { return true }
        points += 1
        let fstab = inner.machine.files["/etc/fstab"]?.content ?? ""
        let swapfileLines = Fstab.activeSwapDevices(in: fstab).filter { $0 != "/swap.img" }.count
        if swapfileLines > 1 { violations.append("point \(points) (\(what)): \(swapfileLines) active swapfile lines in fstab") }
        if inner.machine.history.contains(where: { $0.contains("swapoff") }) { violations.append("swapoff ran") }
        if points == cutAt {
            fileAtCut = .some(FileManager.default.contents(atPath: statePath))
            machineAtCut = inner.machine
            return true
        }
        return false
    }

    func readFile(_ path: String) -> String? { _ = point("read \(path)"); return inner.readFile(path) }
    func fileInfo(_ path: String) -> FileInfo? { _ = point("stat \(path)"); return inner.fileInfo(path) }
    func which(_ program: String) -> String? { _ = point("which \(program)"); return inner.which(program) }
    func lookupUser(_ name: String) -> UserInfo? { _ = point("user \(name)"); return inner.lookupUser(name) }
    func listDirectory(_ path: String) -> [String]? { _ = point("list \(path)"); return inner.listDirectory(path) }

    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        if point("before \(command.argv.joined(separator: " "))") { throw ResumeCut() }
        if command.program == interruptProgram { throw Interrupted(duringCommand: true) }
        let result = try inner.run(command, onOutput: onOutput)
        if point("after \(command.argv.joined(separator: " "))") { throw ResumeCut() }
        return result
    }
}

/// How the machine survives a kill. A real Spark keeps every effect up to the instant of the
/// kill; a practice run gets back the simulated machine saved in the resume file.
enum Survivor: String, CaseIterable, Sendable { case realMachine, practiceFile }

/// Commands that may run again after a cut because running them twice is harmless by design:
/// the temporary file of an atomic write, and the btrfs preparation of an empty file.
func isIdempotentByDesign(_ command: String) -> Bool {
    (command.hasPrefix("sudo install ") && command.contains(".phase0-new"))
        || command.hasPrefix("sudo truncate -s 0 ") || command.hasPrefix("sudo chattr +C ")
}

struct RunResult {
    var outcome: RunOutcome
    var machine: SimulatedSpark
    var progress: Progress
    var points: Int
    var violations: [String]
    var text: String
}

/// Step 0 (+ a stub Step 1 behind the gate) with -y, on `machine`, resuming `progress`.
func runStep0(machine: SimulatedSpark, progress: Progress?, dir: TempDir, cutAt: Int? = nil,
              interruptProgram: String? = nil) -> (RunResult, CuttingHost) {
    let statePath = dir.path + "/practice.json"
    let host = CuttingHost(machine: machine, cutAt: cutAt, statePath: statePath, interruptProgram: interruptProgram)
    let wizard = EngineRun(
        [SwapStep.make(), StepProbe().step()], on: host,
        progress: progress ?? Progress(mode: .practice, stepCount: 2, machine: machine, now: "T0"),
        options: RunOptions(assumeYes: true), store: StateStore(path: statePath, snapshotType: SimulatedSpark.self),
        clock: TickClock().now)
    let outcome = wizard.run()
    return (RunResult(outcome: outcome, machine: host.machine, progress: wizard.progress, points: host.points,
                      violations: host.violations, text: wizard.text), host)
}

/// What must be equal between a cut-and-resumed run and an uncut one: answers and statuses.
/// Not the clock, the attempt counters (compared on their own) or the notes, which describe
/// the latest check ("already active as swap" once a resume re-checks an earlier action).
func comparable(_ progress: Progress) -> [String] {
    var lines = progress.answers.sorted { $0.key < $1.key }.map { "answer \($0.key)=\($0.value)" }
    for step in progress.steps {
        lines.append("step \(step.number) \(step.status.rawValue)")
        for action in step.actions { lines.append("  \(action.id) \(action.status?.rawValue ?? "nil")") }
    }
    return lines
}

/// Where two simulated machines differ, in short words (the audit trail is compared apart).
func differences(_ a: SimulatedSpark, _ b: SimulatedSpark) -> [String] {
    var found: [String] = []
    for path in Set(a.files.keys).union(b.files.keys).sorted() where a.files[path] != b.files[path] {
        found.append("file \(path): \(a.files[path].map { "\($0)" } ?? "absent") vs \(b.files[path].map { "\($0)" } ?? "absent")")
    }
    var x = a, y = b
    x.files = [:]; y.files = [:]; x.history = []; y.history = []
    if x.swaps != y.swaps { found.append("swaps \(x.swaps) vs \(y.swaps)") }
    x.swaps = []; y.swaps = []
    if x != y { found.append("other state differs: \(x) vs \(y)") }
    return found
}

@Suite struct ResumeAfterACutTests {
    static let scenarios = ["{}", #"{"filesystem": {"type": "btrfs"}}"#, #"{"swaps": []}"#]

    @Test(arguments: Survivor.allCases, scenarios)
    func aCutAtEveryPointOfStep0ResumesToTheSameMachine(survivor: Survivor, scenario: String) throws {
        let start = try SimulatedSpark.with(scenario)
        let (reference, _) = runStep0(machine: start, progress: nil, dir: try TempDir("resume", memory: true))
        #expect(reference.outcome == .complete, "\(reference.text)")
        #expect(reference.violations.isEmpty)
        #expect(reference.points > 50)

        for cutAt in 1...reference.points {
            let dir = try TempDir("resume", memory: true)
            let (cut, host) = runStep0(machine: start, progress: nil, dir: dir, cutAt: cutAt)
            let fileAtCut = try #require(host.fileAtCut, "no cut at point \(cutAt)")
            let machineAtCut = try #require(host.machineAtCut)
            #expect(cut.violations.isEmpty, "cut \(cutAt): \(cut.violations)")

            // What a kill leaves on disk: the last complete save, never a half-written file.
            if let bytes = fileAtCut {
                try bytes.write(to: URL(fileURLWithPath: dir.path + "/practice.json"))
            } else {
                try? FileManager.default.removeItem(atPath: dir.path + "/practice.json")
            }
            let saved = try StateStore(path: dir.path + "/practice.json", snapshotType: SimulatedSpark.self).load()
            let machine = survivor == .realMachine ? machineAtCut : (saved?.spark ?? start)

            let (resumed, _) = runStep0(machine: machine, progress: saved, dir: dir)
            let at = "cut at point \(cutAt) of \(reference.points), \(survivor), scenario \(scenario)"
            #expect(resumed.outcome == .complete, "\(at)\n\(resumed.text)")
            #expect(resumed.violations.isEmpty, "\(at): \(resumed.violations)")
            #expect(differences(resumed.machine, reference.machine) == [], "\(at)")
            #expect(comparable(resumed.progress) == comparable(reference.progress), "\(at)")
            // Each action ran as often as in the reference, or once more (re-run after the cut).
            let referenceAttempts = Dictionary(reference.progress.steps.flatMap(\.actions).map { ($0.id, $0.attempts) }) { a, _ in a }
            #expect(resumed.progress.steps.flatMap(\.actions).allSatisfy { action in
                let before = referenceAttempts[action.id] ?? 0
                return (before...before + 1).contains(action.attempts)
            }, "\(at)")

            // Nothing with an effect ran twice: dropping the harmless repeats gives back the
            // reference's commands, in order.
            var seen: Set<String> = []
            var firsts: [String] = []
            for command in resumed.machine.history {
                if seen.insert(command).inserted {
                    firsts.append(command)
                } else if !isIdempotentByDesign(command) {
                    Issue.record("\(at): ran twice: \(command)")
                }
            }
            #expect(firsts == reference.machine.history, "\(at)")
            if survivor == .practiceFile {
                #expect(resumed.machine.history == reference.machine.history, "\(at)")
            }
            // The saved file agrees with the run.
            #expect(try StateStore(path: dir.path + "/practice.json", snapshotType: SimulatedSpark.self).load()?.spark == resumed.machine)
        }
    }

    /// A cut during the resumed run too, at a spread of pairs of points.
    @Test func twoCutsInARow() throws {
        let start = SimulatedSpark()
        let (reference, _) = runStep0(machine: start, progress: nil, dir: try TempDir("resume", memory: true))
        for first in stride(from: 3, through: reference.points, by: 9) {
            for second in stride(from: 2, through: reference.points, by: 13) {
                let dir = try TempDir("resume", memory: true)
                let path = dir.path + "/practice.json"
                let (_, host1) = runStep0(machine: start, progress: nil, dir: dir, cutAt: first)
                try #require(host1.fileAtCut ?? nil).write(to: URL(fileURLWithPath: path))
                let (_, host2) = runStep0(machine: host1.machineAtCut!, progress: try StateStore(path: path, snapshotType: SimulatedSpark.self).load(), dir: dir, cutAt: second)
                if let bytes = host2.fileAtCut { try #require(bytes).write(to: URL(fileURLWithPath: path)) }
                let machine = host2.machineAtCut ?? host2.machine
                let (last, _) = runStep0(machine: machine, progress: try StateStore(path: path, snapshotType: SimulatedSpark.self).load(), dir: dir)
                let at = "cuts at \(first) then \(second)"
                #expect(last.outcome == .complete, "\(at)")
                #expect(differences(last.machine, reference.machine) == [], "\(at)")
                #expect(comparable(last.progress) == comparable(reference.progress), "\(at)")
                #expect(last.machine.history.filter { !isIdempotentByDesign($0) } == reference.machine.history.filter { !isIdempotentByDesign($0) }, "\(at)")
            }
        }
    }
}

@Suite struct InterruptTests {
    /// Ctrl-C while mkswap runs: the outcome is unknown, so it is recorded as interrupted,
    /// and the next run re-checks it first.
    @Test(arguments: [true, false])
    func ctrlCDuringACommandIsRecheckedOnResume(commandRan: Bool) throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        let (first, _) = runStep0(machine: SimulatedSpark(), progress: nil, dir: dir, interruptProgram: "mkswap")
        #expect(first.outcome == .interrupted)
        #expect(first.text.contains("it will be re-checked first on resume"))
        let saved = try #require(try StateStore(path: path, snapshotType: SimulatedSpark.self).load())
        #expect(saved.step(0)?.action("mkswap")?.status == .interrupted)
        #expect(saved.step(0)?.action("allocate")?.status == .done)

        var machine = try #require(saved.spark)
        // Either mkswap never started, or it wrote the signature just before Ctrl-C landed.
        if commandRan { machine.files["/swapfile"]?.swapSignature = true }
        let (resumed, _) = runStep0(machine: machine, progress: saved, dir: dir)
        #expect(resumed.outcome == .complete)
        #expect(resumed.text.contains("Resuming: \"Write the swap signature (mkswap)\" was in flight"))
        #expect(resumed.machine.history.filter { $0 == "sudo mkswap /swapfile" }.count == (commandRan ? 0 : 1))
        #expect(resumed.progress.step(0)?.action("mkswap")?.status == .done)
    }
}
