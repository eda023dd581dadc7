@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// `phase0 undo` on the simulated Spark, step by step and all at once.
@Suite struct UndoTests {
    static let original = SimulatedSpark()

    @Test func undoAllPutsTheMachineBackAndANewRunReachesTheSameEnd() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let undo = InProcessUndo(statePath: done.statePath)
        let undone = try undo.run(.all, machine: done.machine)
        #expect(undone.outcome == .complete, "\(undone.output.suffix(800))")
        let m = undone.machine
        #expect(m.files["/etc/fstab"]?.content == Self.original.files["/etc/fstab"]?.content)
        #expect(m.files[SwappinessActions.dropInPath] == nil)
        #expect(m.files["/etc/fstab.phase0-backup.1"]?.content == Self.original.files["/etc/fstab"]?.content)
        #expect(m.files["/etc/systemd/system/vybn-agent.service"] == nil)
        #expect(m.files["/etc/systemd/system/vybn-agent.service.phase0-backup.1"] != nil)
        #expect(m.services["vybn-agent.service"] == nil)
        #expect(m.tmuxSessions.isEmpty)
        #expect(m.docker.containers.isEmpty)
        #expect(m.docker.volumes == ["open-webui"], "the volume is kept without --purge")
        #expect(m.tailscale.serveProxy == nil)
        #expect(!m.programs.contains("mosh-server"))
        #expect(!m.history.contains { $0.contains("swapoff") }, "never swapoff")
        // The swapfile is still in use: it stays until the next reboot, and undo says so.
        #expect(m.swaps.contains { $0.path == "/swapfile" } && m.files["/swapfile"] != nil)
        #expect(undone.output.contains("/swapfile stays active until the next reboot"))
        var progress = try undo.progress
        #expect((0...5).map { progress.step($0)?.status } == Array(repeating: .pending, count: 6))
        #expect(progress.answers["unplugLidClosed"] == nil, "Step 5's observations are asked again")
        #expect(progress.step(0)?.note?.contains("run `phase0 undo 0` after it") == true)

        // After the reboot nothing uses the swapfile: undo 0 removes it.
        let afterReboot = try undo.run(.step(0), machine: UndoFixture.rebooted(m))
        #expect(afterReboot.outcome == .complete, "\(afterReboot.output.suffix(800))")
        #expect(afterReboot.machine.files["/swapfile"] == nil)
        #expect(afterReboot.machine.history.last == "sudo rm -f /swapfile")
        #expect(afterReboot.machine.swaps == Self.original.swaps)
        progress = try undo.progress
        #expect(progress.step(0)?.note?.contains("/swapfile") == false)

        // A new run from the same resume file reaches the first run's end.
        let again = try InProcessRun(statePath: done.statePath, answers: Rel.answers).run(machine: afterReboot.machine)
        #expect(again.outcome == .complete, "\(again.output.suffix(800))")
        let firstEnd = UndoFixture.state(done.machine), secondEnd = UndoFixture.state(again.machine)
        #expect(firstEnd.swaps == secondEnd.swaps && firstEnd.swappiness == secondEnd.swappiness)
        #expect(firstEnd.docker.containers == secondEnd.docker.containers && firstEnd.tailscale == secondEnd.tailscale)
        #expect(firstEnd.services == secondEnd.services && firstEnd.tmuxSessions == secondEnd.tmuxSessions)
        #expect(firstEnd.programs == secondEnd.programs)
        // The swapfile made again is a new file: its inode differs, all else is the same.
        let kept = { (files: [String: SimFile]) in
            files.filter { !$0.key.contains(".phase0-backup.") }.mapValues { file in
                var same = file
                same.inode = nil
                return same
            }
        }
        #expect(kept(firstEnd.files) == kept(secondEnd.files))
    }

    @Test func undoingTwiceChangesNothingMore() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let undo = InProcessUndo(statePath: done.statePath)
        let first = try undo.run(.all, machine: done.machine)
        let second = try undo.run(.all, machine: first.machine)
        #expect(second.outcome == .complete)
        #expect(second.machine.history == first.machine.history, "the second undo ran: \(second.machine.history.suffix(3))")
    }

    @Test func stepZeroIsUndoneLastAndNeverWhileLaterStepsHoldWhatPhase0Did() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(0), machine: done.machine)
        guard case .failed(let reason) = undone.outcome else { Issue.record("undo 0 was not refused: \(undone.outcome)"); return }
        #expect(reason.contains("Step 0 (swap) is undone last"))
        #expect(undone.machine.files["/etc/fstab"] == done.machine.files["/etc/fstab"])
        #expect(undone.machine.history == done.machine.history)
    }

    @Test func undoFourRemovesOnlyPhase0sServeConfiguration() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(4), machine: done.machine)
        #expect(undone.outcome == .complete)
        #expect(undone.machine.tailscale.serveProxy == nil)
        #expect(undone.machine.history.last == "sudo tailscale serve reset")
        #expect(undone.machine.docker.containers.first?.running == true, "Open WebUI itself keeps running")
        #expect(try InProcessUndo(statePath: done.statePath).progress.step(4)?.status == .pending)
        #expect(try InProcessUndo(statePath: done.statePath).progress.step(3)?.status == .done)
    }

    @Test func undoFourLeavesAServeConfigurationChangedSince() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        var machine = done.machine
        machine.tailscale.serveProxy = "http://127.0.0.1:8080"
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(4), machine: machine)
        #expect(undone.outcome == .complete)
        #expect(undone.machine.tailscale.serveProxy == "http://127.0.0.1:8080")
        #expect(undone.output.contains("not phase0's http://127.0.0.1:3000: left as it is"))
    }

    @Test(arguments: [false, true])
    func undoThreeRemovesTheContainerAndKeepsTheVolumeUnlessPurged(purge: Bool) throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(3), machine: done.machine, purge: purge)
        #expect(undone.outcome == .complete, "\(undone.output.suffix(600))")
        #expect(undone.machine.docker.containers.isEmpty)
        #expect(undone.machine.docker.volumes == (purge ? [] : ["open-webui"]))
        #expect(undone.machine.docker.images == (purge ? [] : ["ghcr.io/open-webui/open-webui:main"]))
        #expect(undone.machine.services["vybn-agent.service"]?.active == true, "the agent is not Step 3's")
    }

    @Test func undoThreeLeavesAContainerThatIsNotPhase0s() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        var machine = done.machine
        machine.docker.containers[0].argv.removeAll { $0.hasPrefix("--label=") }
        machine.docker.containers[0].labels = [:]
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(3), machine: machine)
        #expect(undone.outcome == .complete)
        #expect(undone.machine.docker.containers.count == 1)
        #expect(undone.output.contains("without phase0's label (not phase0's): left as it is"))
    }

    @Test func undoThreeRefusesWhatItCannotSee() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        var machine = done.machine
        machine.docker.daemonRunning = false
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(3), machine: machine)
        guard case .failed(let reason) = undone.outcome else { Issue.record("undo 3 did not refuse: \(undone.outcome)"); return }
        #expect(reason.contains("cannot tell whether container open-webui is phase0's"), "\(reason)")
        #expect(undone.machine.history == done.machine.history, "nothing ran")
        #expect(undone.machine.docker.containers.count == 1)
        #expect(try InProcessUndo(statePath: done.statePath).progress.step(3)?.status == .done, "Step 3 is not marked undone")
    }

    @Test func undoTwoStopsDisablesAndSetsTheUnitAside() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let unit = "/etc/systemd/system/vybn-agent.service"
        let written = done.machine.files[unit]
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(2), machine: done.machine)
        #expect(undone.outcome == .complete, "\(undone.output.suffix(600))")
        #expect(undone.machine.files[unit] == nil)
        #expect(undone.machine.files[unit + ".phase0-backup.1"] == written)
        #expect(undone.machine.services["vybn-agent.service"] == nil)
        #expect(!undone.machine.tmuxSessions.contains { $0.name == "vybn" })
        #expect(Array(undone.machine.history.suffix(4)) == [
            "sudo systemctl stop vybn-agent.service", "sudo systemctl disable vybn-agent.service",
            "sudo mv -f \(unit) \(unit).phase0-backup.1", "sudo systemctl daemon-reload"])
    }

    @Test func undoOneRemovesMoshAndTheRulePhase0Added() throws {
        var machine = SimulatedSpark()
        machine.ufw.active = true
        let done = try UndoFixture.completedRun(machine)
        defer { done.dir.remove() }
        #expect(done.machine.ufw.rules == [MoshStep.udpRule])
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(1), machine: done.machine)
        #expect(undone.outcome == .complete, "\(undone.output.suffix(600))")
        #expect(undone.machine.ufw.rules.isEmpty)
        #expect(!undone.machine.programs.contains("mosh"))
    }

    @Test func undoOneLeavesMoshThatWasThereBefore() throws {
        var machine = SimulatedSpark()
        machine.programs += ["mosh", "mosh-server", "mosh-client"]
        let done = try UndoFixture.completedRun(machine)
        defer { done.dir.remove() }
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(1), machine: done.machine)
        #expect(undone.outcome == .complete)
        #expect(undone.machine.programs.contains("mosh-server"))
        #expect(undone.output.contains("Leaves mosh: it was there before phase0"))
        #expect(!undone.machine.history.contains { $0.contains("apt-get purge") })
    }

    @Test func undoFiveClearsTheProtocolsRecordsAndObservations() throws {
        let done = try UndoFixture.completedRun()
        defer { done.dir.remove() }
        let undone = try InProcessUndo(statePath: done.statePath).run(.step(5), machine: done.machine)
        #expect(undone.outcome == .complete)
        #expect(undone.machine.history == done.machine.history, "nothing to undo on the machine")
        let progress = try InProcessUndo(statePath: done.statePath).progress
        #expect(progress.step(5)?.status == .pending && progress.step(5)?.actions.isEmpty == true)
        #expect(progress.answers["unplugPhoneChat"] == nil)
        #expect(progress.step(105)?.status == .done, "the undo keeps its own record")
    }

    @Test func nothingToUndoBeforeAnyRun() throws {
        let scratch = try TempDir("undo-none")
        defer { scratch.remove() }
        let dir = scratch.path
        var config = WizardConfig()
        config.hosts = PracticeHostFactory()
        config.statePath = dir + "/practice.json"
        let output = CapturedOutput()
        #expect(UndoRun.run(config, target: .all, purge: false, output: output) == .complete)
        #expect(output.text.contains("Nothing to undo"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/practice.json"))
    }
}
