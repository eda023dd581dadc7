@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

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
        #expect(
            saved.step(0)?.actions.map(\.id) == [
                "allocate", "permissions", "mkswap", "swapon", "swappiness-now", "swappiness-persist", "swappiness-at-boot", "fstab",
            ])
        // Every action ran once, except the boot check: with phase0's drop-in, 10 wins at boot.
        #expect(
            saved.step(0)?.actions.filter { $0.id != "swappiness-at-boot" }.allSatisfy { $0.status == .done && $0.attempts == 1 } == true)
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
