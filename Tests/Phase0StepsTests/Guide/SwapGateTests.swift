@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

@Suite struct GateTests {
    func expectGate(_ h: Harness, _ outcome: RunOutcome, mentions text: String) {
        guard case .gate(let reason) = outcome else {
            Issue.record("expected the gate, got \(outcome)\n\(h.text)")
            return
        }
        #expect(outcome.exitCode == 3)
        #expect(reason.contains(text) || h.text.contains(text), "\(h.text)")
        #expect(!h.probe.started, "Step 1 started behind a closed gate")
        #expect(!h.text.contains("== Step 1"))
        #expect(h.text.contains("Progress is saved"))
    }

    @Test func aTinyDiskRefusesTheAllocationAndStopsAtTheGate() throws {
        let h = try Harness(machine: try SimulatedSpark.with(#"{"filesystem": {"freeGiB": 10}}"#))
        expectGate(h, h.engine.run(), mentions: "has 10G free")
        #expect(h.history.isEmpty)
    }

    @Test func zfsIsRefused() throws {
        let h = try Harness(machine: try SimulatedSpark.with(#"{"filesystem": {"type": "zfs"}}"#))
        expectGate(h, h.engine.run(), mentions: "ZFS cannot hold a swapfile")
        #expect(h.history.isEmpty)
    }

    @Test func aSwapSizeUnderTheGateIsRefusedAtThePrompt() throws {
        let h = try Harness(lines: ["", "32G"], options: RunOptions())
        guard case .stopped = h.engine.run() else { Issue.record("\(h.text)"); return }
        #expect(h.text.contains("Not accepted: with 16G of other swap, 32G leaves 48G in all, under the 64G gate"))
        #expect(h.reader.prompts.filter { $0.hasPrefix("Swapfile size") }.count == 2)
        #expect(h.history.isEmpty)
        #expect(!h.probe.started)
    }

    @Test func aSwapSizeUnderTheGateInTheAnswersFileIsABadInputFile() throws {
        let h = try Harness(answers: ["swapSize": "32G"])
        let outcome = h.engine.run()
        guard case .badInput(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(outcome.exitCode == 65)
        #expect(reason.contains("answers.json") && reason.contains("swapSize") && reason.contains("under the 64G gate"))
        #expect(h.history.isEmpty)
    }

    /// A 64G swapfile made by mkswap is 64 GiB minus a page: it must pass the 64G gate.
    @Test func a64GSwapfileAloneOnAMachineWithoutSwapPasses() throws {
        let h = try Harness(machine: try SimulatedSpark.with(#"{"swaps": []}"#), answers: ["swapSize": "64G"])
        #expect(h.engine.run() == .complete, "\(h.text)")
        #expect(h.host.machine.swaps == [SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 4, priority: -2)])
        #expect(h.probe.started)
    }

    @Test func a63GSwapfileAloneIsRefused() throws {
        let h = try Harness(machine: try SimulatedSpark.with(#"{"swaps": []}"#), answers: ["swapSize": "63G"])
        guard case .badInput = h.engine.run() else { Issue.record("\(h.text)"); return }
        #expect(h.history.isEmpty)
    }

    /// The engine knows no step numbers: the procedure must declare the gate on every step
    /// after Step 0, and Step 0 as the step that opens it.
    @Test func everyStepAfterStep0DeclaresTheSwapGate() {
        let steps = Procedure.steps()
        #expect(steps[0].gate == nil && steps[0].opens != nil)
        for step in steps.dropFirst() { #expect(step.gate != nil, "Step \(step.number) has no gate") }
        let closedSpark = stepContext(PracticeHost(machine: SimulatedSpark()))
        #expect(steps[1].gate?.closedBecause(closedSpark)?.contains("STOPPED AT THE SWAP GATE") == true)
    }

    /// The gate itself: Step 0 claims done (a stub), the machine has 16G of swap. No option,
    /// no answers, no saved progress gets Step 1 started; a dry run lists but changes nothing.
    @Test(arguments: [RunOptions(), RunOptions(assumeYes: true), RunOptions(dryRun: true), RunOptions(assumeYes: true, dryRun: true)])
    func noOptionSkipsTheGate(options: RunOptions) throws {
        let dir = try TempDir("gate", memory: true)
        let host = PracticeHost(machine: SimulatedSpark())
        let step0 = StepProbe()
        let step1 = StepProbe()
        var progress = Progress(mode: .practice, stepCount: 2, machine: host.machine, now: "T0")
        progress.updateStep(0) { $0.status = .done }
        progress.answers = ["swapfile": "/swapfile", "swapSize": "128G", "swappiness": "10"]
        let step1WithAction = Step(number: 1, title: "Stub 1", why: "", manual: "",
                                   actions: [Action(id: "x", title: "change", why: "", kind: .commands { _ in [.privileged(["sysctl", "-w", "vm.swappiness=1"])] },
                                                    check: { _ in step1.started = true; return Check(false, "x") })],
                                   verify: { _ in step1.started = true; return [Check(false, "x")] },
                                   gate: SwapGate.gate)
        let wizard = EngineRun([step0.step(number: 0), step1WithAction], on: host, reader: ScriptedLineReader(["y", "y", "y"]),
                               progress: progress, answersFile: ["swapSize": "128G"], options: options,
                               store: StateStore(path: dir.path + "/p.json", snapshotType: SimulatedSpark.self),
                               clock: TickClock().now)
        let outcome = wizard.run()
        let output = wizard.output
        #expect(host.machine.history.isEmpty)
        #expect(host.machine.swappiness == 60)
        if options.dryRun {
            // Said once, where a real run would stop; the listing goes on.
            #expect(output.text.contains("(dry run) A real run would stop here, before Step 1: STOPPED AT THE SWAP GATE"))
            #expect(output.text.components(separatedBy: "STOPPED AT THE SWAP GATE").count == 2)
            // Nothing ran, so a dry run must never claim the procedure is complete.
            #expect(!output.text.contains("Phase 0 complete"))
            #expect(output.text.contains("Dry run finished"))
        } else {
            guard case .gate(let explanation) = outcome else { Issue.record("\(outcome)"); return }
            #expect(explanation.contains("No option skips this gate"))
            #expect(!step1.started)
        }
    }

    // MARK: The verdict on what /proc/swaps lists

    @Test func theSparkAfterStep0PassesAndNoSwapDoesNot() {
        #expect(SwapGate.evaluate([SwapArea(path: "/swap.img", sizeKiB: 16_777_212, usedKiB: 1_782_580),
                                   SwapArea(path: "/swapfile", sizeKiB: 134_217_724, priority: -3)]).passes)
        #expect(!SwapGate.evaluate([]).passes)
    }

    @Test func theGateAllowsOneHeaderPagePerArea() {
        // mkswap keeps one 4 KiB page for its header: 64 GiB - 4 KiB.
        let verdict = SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 4)])
        #expect(verdict.passes)
        // 64 KiB pages (some aarch64 kernels) are allowed too, but not a page more.
        #expect(SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 64)]).passes)
        #expect(!SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 65)]).passes)
        #expect(!SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 63 * 1024 * 1024)]).passes)
        // Two mkswap'd areas summing to 64G pass; the allowance is per area.
        #expect(SwapGate.evaluate([SwapArea(path: "/a", sizeKiB: 32 * 1024 * 1024 - 4),
                                   SwapArea(path: "/b", sizeKiB: 32 * 1024 * 1024 - 4)]).passes)
    }

    @Test func aMalformedProcSwapsClosesTheGate() {
        let malformed = SwapGate.figures(FixedFileHost(files: ["/proc/swaps": "nonsense\n", "/etc/fstab": ""]))
        #expect(!malformed.passes)
        #expect(malformed.problem?.contains("/proc/swaps line 1") == true)
        let missing = SwapGate.figures(FixedFileHost(files: [:]))
        #expect(!missing.passes && missing.problem?.contains("could not be read") == true)
    }
}

/// A host that only serves fixed file contents; anything else fails closed.
final class FixedFileHost: Host {
    let files: [String: String]
    init(files: [String: String]) { self.files = files }
    let name = "fixed"
    let isPractice = true
    let invoker = "nobody"
    func readFile(_ path: String) -> String? { files[path] }
    func fileInfo(_ path: String) -> FileInfo? { nil }
    func which(_ program: String) -> String? { nil }
    func lookupUser(_ name: String) -> UserInfo? { nil }
    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        CommandResult(exitStatus: 127, output: "not available in this test\n")
    }
}
