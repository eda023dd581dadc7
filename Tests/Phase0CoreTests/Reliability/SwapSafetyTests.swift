@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

/// Step 0 never formats, truncates or changes a file it did not make (issue 9, §1), and the
/// gate holds for the swap a reboot brings back, not only for what is active now (§2).
@Suite struct SwapfileOwnershipTests {
    /// A resume file whose allocate action was tried (and failed) once at /swapfile.
    func progressAfterAFailedAttempt(machine: SimulatedSpark) -> Progress {
        var progress = Progress(mode: .practice, stepCount: 6, machine: machine, now: "T0")
        progress.answers = ["swapfile": "/swapfile", "swapSize": "128G", "swappiness": "10"]
        progress.updateStep(0) {
            $0.status = .failed
            $0.updateAction("allocate") {
                $0.status = .failed
                $0.attempts = 1
                $0.note = "`sudo fallocate -l 128G /swapfile` exited with status 1"
            }
        }
        return progress
    }

    static let destructive = ["fallocate", "truncate", "chattr", "chmod", "mkswap", "swapon"]

    /// The issue's example: an earlier failed attempt at one path, then an answers file names
    /// an existing data file. Nothing touches it, whatever attempts came before; exit 3.
    @Test(arguments: ["ext4", "btrfs", "xfs"])
    func anEarlierAttemptNeverMakesAnExistingFileFairGame(filesystem: String) throws {
        let data = "/home/vybnz69/data.img"
        let machine = try SimulatedSpark.with(#"{"filesystem": {"type": "\#(filesystem)"}, "files": {"\#(data)": "precious data\n"}}"#)
        let host = PracticeHost(machine: machine)
        let run = runSteps([SwapStep.make()], on: host, answersFile: ["swapfile": data, "swapSize": "128G", "swappiness": "10"],
                           progress: progressAfterAFailedAttempt(machine: machine), assumeYes: true)
        guard case .gate = run.outcome else { Issue.record("expected exit 3, got \(run.outcome)\n\(run.text)"); return }
        #expect(host.machine.files[data]?.content == "precious data\n")
        #expect(!host.machine.history.contains { line in Self.destructive.contains { line.contains($0) } }, "\(host.machine.history)")
        #expect(run.text.contains("\(data) already exists"), "\(run.text)")
        #expect(run.text.contains("never overwrites"))
    }

    /// A large file at the path, of the requested size but without a swap signature, is not
    /// "allocated": it is refused, never chmod-ed, mkswap-ed or swapon-ed.
    @Test func aLargeFileWithoutASwapSignatureIsNotTakenForASwapfile() throws {
        var machine = SimulatedSpark()
        machine.files["/swapfile"] = SimFile(content: nil, mode: 0o644, size: 128 * ByteSize.giB)
        let host = PracticeHost(machine: machine)
        let run = runSteps([SwapStep.make()], on: host, assumeYes: true)
        guard case .gate = run.outcome else { Issue.record("expected exit 3, got \(run.outcome)\n\(run.text)"); return }
        #expect(host.machine.history.isEmpty, "\(host.machine.history)")
        #expect(host.machine.files["/swapfile"]?.swapSignature == false)
        #expect(host.machine.files["/swapfile"]?.mode == 0o644)
    }

    /// A dry run lists every command of Step 0, though the swapfile does not exist yet.
    @Test func aDryRunListsEveryCommand() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        let run = runSteps([SwapStep.make()], on: host, dryRun: true)
        #expect(run.outcome == .complete, "\(run.text)")
        for command in ["fallocate -l 128G /swapfile", "chmod 600 /swapfile", "mkswap /swapfile", "swapon /swapfile"] {
            #expect(run.text.contains("$ sudo " + command), "\(command)")
        }
        #expect(host.machine.history.isEmpty)
    }

    /// A file phase0 made, swapped for another one between two runs (same path, same size): the
    /// identity recorded in the resume file no longer matches, so the new file is left alone.
    @Test func aFileReplacedBetweenRunsIsNoLongerPhase0s() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        // The operator confirms the allocation, then says no to chmod: the run stops there.
        let first = runSteps([SwapStep.make()], on: host, lines: ["", "", "", "y", "n"])
        guard case .stopped = first.outcome else { Issue.record("\(first.outcome)\n\(first.text)"); return }
        #expect(host.machine.history == ["sudo fallocate -l 128G /swapfile"])
        // Someone puts another file of the same size at the path.
        host.machine.files["/swapfile"] = SimFile(content: nil, mode: 0o644, size: 128 * ByteSize.giB)
        let again = runSteps([SwapStep.make()], on: host, progress: first.progress, assumeYes: true)
        guard case .gate = again.outcome else { Issue.record("expected exit 3, got \(again.outcome)\n\(again.text)"); return }
        #expect(host.machine.history == ["sudo fallocate -l 128G /swapfile"], "\(host.machine.history)")
        #expect(host.machine.files["/swapfile"]?.mode == 0o644)
    }
}

@Suite struct SwapGateAfterRebootTests {
    /// 16G /swap.img (retired from fstab) + an active 48G /swapfile: 64G now, 48G after the
    /// next reboot. Step 0 is not "done", says what would pass, and the run stops at the gate.
    static func sixtyFourNowFortyEightAfterReboot() throws -> SimulatedSpark {
        var machine = try SimulatedSpark.with(#"{"swaps": [{"path": "/swap.img", "sizeGiB": 16, "usedGiB": 1.7}, {"path": "/swapfile", "sizeGiB": 48}]}"#)
        machine.swappiness = 10
        let fstab = machine.files["/etc/fstab"]?.content ?? ""
        machine.files["/etc/fstab"]?.content = Fstab.ensureSwapfile(in: fstab, swapfile: "/swapfile").text
        for path in ["/etc/sysctl.d/99-phase0-swappiness.conf", "/etc/sysctl.d/99-zz-phase0-swappiness.conf"] {
            machine.files[path] = SimFile(content: "# Written by phase0 (Step 0 of \"Phase 0: Make Vybn Always-On\").\n# Keep the 229B model in RAM; swap only under pressure.\nvm.swappiness = 10\n", mode: 0o644)
        }
        return machine
    }

    @Test func swapThatPassesOnlyUntilTheNextRebootStopsAtTheGate() throws {
        let h = try Harness(machine: try Self.sixtyFourNowFortyEightAfterReboot())
        let outcome = h.engine.run()
        guard case .gate = outcome else { Issue.record("expected exit 3, got \(outcome)\n\(h.text)"); return }
        #expect(!h.probe.started, "Step 1 started with 48G of swap after the next reboot")
        #expect(h.text.contains("after a reboot"), "\(h.text)")
        // No dead end: what would pass is named (another path, a size), and nothing is swapped off.
        #expect(h.text.contains("another path"), "\(h.text)")
        #expect(!h.history.contains { $0.contains("swapoff") || $0.contains("mkswap") })
    }

    /// Step 0 done in an earlier run; since then the machine holds 48G for the next boot. The
    /// gate before Step 1 counts what a reboot brings back: exit 3.
    @Test func theGateBeforeStep1CountsWhatARebootBringsBack() throws {
        let machine = try Self.sixtyFourNowFortyEightAfterReboot()
        let dir = try TempDir()
        var progress = Progress(mode: .practice, stepCount: 6, machine: machine, now: "T0")
        progress.answers = ["swapfile": "/swapfile", "swapSize": "48G", "swappiness": "10"]
        progress.updateStep(0) { $0.status = .done }
        try StateStore(path: dir.path + "/practice.json", snapshotType: SimulatedSpark.self).save(progress)
        let h = try Harness(machine: machine, dir: dir)
        let outcome = h.engine.run()
        guard case .gate = outcome else { Issue.record("expected exit 3, got \(outcome)\n\(h.text)"); return }
        #expect(!h.probe.started)
    }

    /// Step 0's own verification finding too little swap is a stop at the gate (exit 3), not
    /// "a command failed" (exit 1): here swapon claims success but adds nothing.
    @Test func step0FindingTooLittleSwapExitsThree() throws {
        final class SwaponDoesNothing: PracticeWrapper {
            let inner: PracticeHost
            init(_ machine: SimulatedSpark) { inner = PracticeHost(machine: machine) }
            func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
                if command.argv.first == "swapon" && command.effect == .change { return CommandResult(exitStatus: 0, output: "") }
                return try inner.run(command, onOutput: onOutput)
            }
        }
        let host = SwaponDoesNothing(SimulatedSpark())
        let run = runSteps([SwapStep.make()], on: host, assumeYes: true)
        guard case .gate = run.outcome else { Issue.record("expected exit 3, got \(run.outcome)\n\(run.text)"); return }
        #expect(run.outcome.exitCode == 3)
        #expect(run.text.contains("STOPPED AT THE SWAP GATE"), "\(run.text)")
    }

    /// The size question applies the same rule: 48G next to a 16G /swap.img reaches 64G now,
    /// but /swap.img is retired at the next reboot, so 48G is refused (exit 65 from a file).
    @Test func aSizeThatPassesOnlyUntilTheNextRebootIsRefused() throws {
        let h = try Harness(answers: ["swapSize": "48G"])
        let outcome = h.engine.run()
        guard case .badInput(let reason) = outcome else { Issue.record("expected exit 65, got \(outcome)\n\(h.text)"); return }
        #expect(reason.contains("after a reboot"), "\(reason)")
        #expect(h.history.isEmpty)
    }
}
