import Testing
import Foundation

/// The guide's Step 0 failure cases, from the built-in scenarios, through the pseudo-terminal.
@Suite struct SwapScenarioTests {
    /// 40G free: the 128G swapfile does not fit, and a size that fits cannot reach the gate.
    /// Nothing is run, the run stops at the swap gate (exit 3), Step 1 never starts; a second
    /// run (answers saved, no input) stops there again without asking anything.
    @Test func aDiskTooSmallForTheSwapfileStopsAtTheGate() throws {
        let sandbox = try Sandbox()
        let op = try startPractice(sandbox, scenario: "disk-too-small", review: false)
        let terminal = op.terminal
        // At the review, a size that fits the disk is refused: it cannot reach the gate.
        try op.see(Prompt.review)
        terminal.send("swapSize\r")
        try op.see("Swapfile size [128G]: ")
        terminal.send("32G\r")
        try op.see("Not accepted: with 16G of other swap, 32G leaves 48G in all, under the 64G gate")
        try op.see("Swapfile size [128G]: ")
        terminal.send("\r")
        try op.see(Prompt.review)
        terminal.send("\r")
        try op.see("Swap gate: 16G of the required 64G (not yet)")
        try op.see("/swapfile goes on ext4 with 40G free")
        try op.see("phase0 will not continue: / has 40G free; a 128G swapfile needs 132G including a 4G margin.")
        try op.see("STOPPED AT THE SWAP GATE: this machine has 16G of swap now and 0G after a reboot; the guide's hard rule is at least 64G")
        try op.see("No option skips this gate.")
        try op.see("Progress is saved in \(sandbox.statePath).")
        #expect(try terminal.waitForExit() == 3, "\(terminal.unread)")
        for text in ["Will run", "Run this?", "== Step 1"] { #expect(!terminal.transcript.contains(text), "showed \(text)") }
        #expect(try sandbox.history().isEmpty)
        #expect(try sandbox.stepStatuses() == ["failed", "pending", "pending", "pending", "pending", "pending"])
        let note = try sandbox.step(0)["note"] as? String
        #expect(note?.contains("/ has 40G free") == true, "\(note ?? "no note")")

        let (again, output) = try sandbox.run(["--practice"])
        #expect(again == 3, "\(output)")
        #expect(output.contains("phase0 will not continue: / has 40G free") && !output.contains("]: "), "\(output)")
        #expect(try sandbox.history().isEmpty)
    }

    /// The same fixture with -y and no terminal: exit 3 all the same.
    @Test func aDiskTooSmallStopsAtTheGateWithAssumeYes() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", try scenario("disk-too-small")])
        #expect(code == 3, "\(output)")
        #expect(output.contains("has 40G free") && output.contains("STOPPED AT THE SWAP GATE"), "\(output)")
        #expect(!output.contains("== Step 1"))
        #expect(try sandbox.history().isEmpty)
    }

    /// btrfs root: the swapfile is made empty, marked no-copy-on-write, then allocated, shown
    /// together before the one confirmation; the rest of Step 0 is as on ext4.
    @Test func aBtrfsRootUsesTheBtrfsProcedure() throws {
        let sandbox = try Sandbox()
        let op = try startPractice(sandbox, scenario: "btrfs-root")
        try op.step0(allocation: btrfsRoute, filesystem: "btrfs")
        try op.see("== Step 1 of 5: Install mosh (optional) ==")
        try op.see(Prompt.installMosh)
        try op.interrupt(statePath: sandbox.statePath)
        #expect(try sandbox.history() == Array(btrfsRoute.prefix(2)) + step0History)
        #expect(try sandbox.stepStatuses() == ["done", "pending", "pending", "pending", "pending", "pending"])
        let swaps = try #require(try sandbox.machine()["swaps"] as? [[String: Any]])
        #expect(swaps.compactMap { $0["path"] as? String } == ["/swap.img", "/swapfile"])
    }
}
