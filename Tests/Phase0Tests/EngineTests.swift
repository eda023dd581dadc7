@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

@Suite struct Step0Tests {
    @Test func step0CompletesOnTheGuidesSpark() throws {
        let h = try Harness()
        #expect(h.engine.run() == .complete)
        #expect(h.history == step0Commands)
        #expect(h.probe.started)
        let m = h.host.machine
        #expect(m.swaps.map(\.path) == ["/swap.img", "/swapfile"])
        #expect(m.swaps[1].sizeKiB == 128 * 1024 * 1024 - 4)
        #expect(m.swappiness == 10)
        #expect(m.files["/swapfile"]?.mode == 0o600)
        #expect(m.files["/etc/sysctl.d/99-zz-phase0-swappiness.conf"]?.content?.contains("vm.swappiness = 10") == true)
        #expect(Fstab.activeSwapDevices(in: m.files["/etc/fstab"]?.content ?? "") == ["/swapfile"])
        #expect(m.files["/etc/fstab.phase0-backup.1"]?.content == SimulatedSpark().files["/etc/fstab"]?.content)
        let saved = try h.saved()
        #expect(saved.step(0)?.status == .done)
        #expect(saved.step(1)?.status == .done)
        #expect(saved.answers == ["swapfile": "/swapfile", "swapSize": "128G", "swappiness": "10"])
        #expect(saved.step(0)?.actions.map(\.id) == ["allocate", "permissions", "mkswap", "swapon", "swappiness-now", "swappiness-persist",
                                                      "swappiness-at-boot", "fstab"])
        // Every action ran once, except the boot check: with phase0's drop-in, 10 wins at boot.
        #expect(saved.step(0)?.actions.filter { $0.id != "swappiness-at-boot" }.allSatisfy { $0.status == .done && $0.attempts == 1 } == true)
        #expect(saved.step(0)?.action("swappiness-at-boot")?.status == .alreadyDone)
        // The swapfile is recorded as phase0's own, with its identity.
        let made = try #require(saved.step(0)?.action("allocate")?.made)
        #expect(made.path == "/swapfile" && made.size == 128 * ByteSize.giB && made.inode == m.files["/swapfile"]?.inode && made.inode != nil)
        #expect(saved.spark == m)
        // The old swap stays on: never swapoff with the model loaded.
        #expect(!h.history.contains { $0.contains("swapoff") })
    }

    @Test func resumingAFinishedRunRedoesNothing() throws {
        let first = try Harness()
        #expect(first.engine.run() == .complete)
        let again = try Harness(machine: try #require(try first.saved().spark), dir: first.dir)
        #expect(again.engine.run() == .complete)
        #expect(again.history == step0Commands)
        #expect(again.text.contains("[done] verified again"))
    }

    /// After `phase0 reset` the records are gone, but every check sees the effect in place.
    @Test func aFreshRunOnAFinishedMachineSaysAlreadyDone() throws {
        let first = try Harness()
        #expect(first.engine.run() == .complete)
        let fresh = try Harness(machine: first.host.machine)
        #expect(fresh.engine.run() == .complete)
        #expect(fresh.history == step0Commands)
        #expect(fresh.text.contains("[done] already done"))
        #expect(fresh.engine.progress.step(0)?.status == .done)
    }

    /// An existing swap area of the right path is kept, not reformatted or reallocated.
    @Test func anExistingActiveSwapfileIsNeverRedone() throws {
        let machine = try SimulatedSpark.with(#"{"swaps": [{"path": "/swap.img", "sizeGiB": 16}, {"path": "/swapfile", "sizeGiB": 128}]}"#)
        let h = try Harness(machine: machine)
        #expect(h.engine.run() == .complete)
        #expect(!h.history.contains { $0.contains("fallocate") || $0.contains("mkswap") || $0.contains("swapon") })
        #expect(h.action("allocate")?.status == .alreadyDone)
    }

    @Test func anExistingFileAtTheSwapfilePathIsNeverOverwritten() throws {
        let machine = try SimulatedSpark.with(#"{"files": {"/swapfile": "precious data\n"}}"#)
        let h = try Harness(machine: machine)
        let outcome = h.engine.run()
        guard case .gate(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("never overwrites"))
        #expect(h.host.machine.files["/swapfile"]?.content == "precious data\n")
        #expect(h.history.isEmpty)
    }

    @Test func aBtrfsRootUsesTheBtrfsProcedure() throws {
        let h = try Harness(machine: try SimulatedSpark.with(#"{"filesystem": {"type": "btrfs"}}"#))
        #expect(h.engine.run() == .complete)
        #expect(Array(h.history.prefix(3)) == ["sudo truncate -s 0 /swapfile", "sudo chattr +C /swapfile", "sudo fallocate -l 128G /swapfile"])
    }
}

@Suite struct GateTests {
    func expectGate(_ h: Harness, _ outcome: RunOutcome, mentions text: String) {
        guard case .gate(let reason) = outcome else {
            Issue.record("expected the gate, got \(outcome)\n\(h.text)")
            return
        }
        #expect(ExitStatus.of(outcome) == 3)
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
        #expect(ExitStatus.of(outcome) == 65)
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
        let closedSpark = StepsAHarness.context(PracticeHost(machine: SimulatedSpark()), answers: [:])
        #expect(steps[1].gate?.closedBecause(closedSpark)?.contains("STOPPED AT THE SWAP GATE") == true)
    }

    /// The gate itself: Step 0 claims done (a stub), the machine has 16G of swap. No option,
    /// no answers, no saved progress gets Step 1 started; a dry run lists but changes nothing.
    @Test(arguments: [RunOptions(), RunOptions(assumeYes: true), RunOptions(dryRun: true), RunOptions(assumeYes: true, dryRun: true)])
    func noOptionSkipsTheGate(options: RunOptions) throws {
        let dir = try TempDir()
        let host = PracticeHost(machine: SimulatedSpark())
        let output = CapturedOutput()
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
        let engine = Engine(steps: [step0.step(number: 0), step1WithAction], host: host, output: output,
                            reader: ScriptedLineReader(["y", "y", "y"]), progress: progress,
                            store: StateStore(path: dir.path + "/p.json", snapshotType: SimulatedSpark.self), transcript: nil,
                            answersFile: ["swapSize": "128G"], options: options, clock: TickClock().now)
        let outcome = engine.run()
        #expect(host.machine.history.isEmpty)
        #expect(host.machine.swappiness == 60)
        if options.dryRun {
            #expect(output.text.contains("(dry run) STOPPED AT THE SWAP GATE"))
            // Nothing ran, so a dry run must never claim the procedure is complete.
            #expect(!output.text.contains("Phase 0 complete"))
            #expect(output.text.contains("Dry run finished"))
        } else {
            guard case .gate(let explanation) = outcome else { Issue.record("\(outcome)"); return }
            #expect(explanation.contains("No option skips this gate"))
            #expect(!step1.started)
        }
    }
}

@Suite struct ConfirmationTests {
    /// Enter at each question takes the guide's default.
    static let defaults = ["", "", ""]

    func run(_ confirmations: [String], assumeYes: Bool = false) throws -> (Harness, RunOutcome) {
        let h = try Harness(lines: Self.defaults + confirmations, options: RunOptions(assumeYes: assumeYes))
        return (h, h.engine.run())
    }

    func confirmations(_ h: Harness) -> Int { h.reader.prompts.filter { $0.contains("Run this?") }.count }

    @Test func yesToEachCommandCompletes() throws {
        let (h, outcome) = try run(Array(repeating: "y", count: 7))
        #expect(outcome == .complete)
        #expect(h.history == step0Commands)
        #expect(confirmations(h) == 7)
        // The prompt of a non-skippable action offers no skip.
        #expect(h.reader.prompts.contains("     Run this? [y]es / [n]o / [e]xplain / [q]uit: "))
    }

    @Test func noStopsAndKeepsProgress() throws {
        let (h, outcome) = try run(["y", "no"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(ExitStatus.of(outcome) == 130)
        #expect(reason.contains("declined \"Make the swapfile readable by root only\""))
        #expect(h.history == ["sudo fallocate -l 128G /swapfile"])
        #expect(h.action("permissions") == nil)
        #expect(try h.saved().step(0)?.action("allocate")?.status == .done)
    }

    @Test func quitStops() throws {
        let (h, outcome) = try run(["quit"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("quit before"))
        #expect(h.history.isEmpty)
    }

    @Test func explainPrintsTheWhyAndAsksAgain() throws {
        let (h, outcome) = try run(["e", "?", "explain", "n"])
        guard case .stopped = outcome else { Issue.record("\(outcome)"); return }
        #expect(h.text.contains("Why: fallocate reserves the space instantly"))
        #expect(h.text.contains("The guide's manual way for this step:"))
        #expect(h.text.contains("Never run `sudo swapoff /swap.img` while the model is loaded."))
        #expect(confirmations(h) == 4)
        #expect(h.history.isEmpty)
    }

    @Test func skipIsRefusedOnANonSkippableAction() throws {
        let (h, outcome) = try run(["s", "skip"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(h.text.components(separatedBy: "This action cannot be skipped").count == 3)
        #expect(reason.contains("end of input"))
        #expect(h.action("allocate")?.status != .skipped)
        #expect(h.history.isEmpty)
    }

    @Test func endOfInputAtAConfirmationIsNeverAYes() throws {
        let (h, outcome) = try run([])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("end of input is never a yes"))
        #expect(h.history.isEmpty)
        #expect(h.text.contains("Progress is saved"))
    }

    @Test func endOfInputAtAQuestionStops() throws {
        let h = try Harness(lines: [""], options: RunOptions())
        guard case .stopped(let reason) = h.engine.run() else { Issue.record("\(h.text)"); return }
        #expect(reason.contains("swapSize"))
        #expect(try h.saved().answers == ["swapfile": "/swapfile"])
    }

    @Test func anythingElseIsAskedAgain() throws {
        let (h, outcome) = try run(["maybe", "Y", "yes ", "y", "y", "y", "y", "y"])
        #expect(outcome == .complete)
        #expect(h.text.contains("Please answer y, n, e or q."))
    }

    @Test func assumeYesProceedsWithoutAsking() throws {
        let (h, outcome) = try run([], assumeYes: true)
        #expect(outcome == .complete)
        #expect(confirmations(h) == 0)
        #expect(h.text.components(separatedBy: "Run this? yes (--assume-yes)").count == 8)
    }

    @Test func badAnswersAreExplainedAndAskedAgain() throws {
        let h = try Harness(lines: ["swapfile", "/swap file", "?", "/swapfile", "12X", "128G", "101", "10"] + Array(repeating: "y", count: 7),
                            options: RunOptions())
        #expect(h.engine.run() == .complete)
        #expect(h.text.contains("Not accepted: the swapfile path must be an absolute path"))
        #expect(h.text.contains("Not accepted: the swapfile path must not contain spaces"))
        #expect(h.text.contains("Where the new swapfile goes"))
        #expect(h.text.contains("Not accepted: \"12X\" has an unknown unit"))
        #expect(h.text.contains("Not accepted: swappiness must be a whole number from 0 to 100"))
    }
}
