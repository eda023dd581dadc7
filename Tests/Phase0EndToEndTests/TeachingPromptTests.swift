import Testing
import Foundation

/// `?` at the wizard's prompts explains the words on screen; practice says plainly when the
/// operator must pretend; `phase0 glossary` prints the entries.
@Suite struct TeachingPromptTests {
    @Test func aQuestionMarkExplainsTheWordsOnScreen() throws {
        let sandbox = try Sandbox()
        let op = Operator(terminal: try sandbox.terminal(["--practice"]))
        try op.see(Prompt.review)
        op.terminal.send("swapfile\r")
        try op.see("Swapfile path [/swapfile]: ")
        op.terminal.send("?\r")
        try op.see("Words on this screen (phase0 glossary lists them all):")
        try op.see("    Disk space the kernel uses as overflow memory.")
        try op.see("Swapfile path [/swapfile]: ")
        op.terminal.send("\r")
        try op.see(Prompt.review)
        op.terminal.send("\r")
        try op.see(Prompt.confirm)
        // At a command ? is help: what each key does, then the words on screen.
        op.terminal.send("?\r")
        try op.see("e  explain: why, and the exact commands")
        try op.see("Words on this screen (phase0 glossary lists them all):")
        let shown = try op.terminal.expect(Prompt.confirm).replacingOccurrences(of: "\r", with: "")
        #expect(shown.contains("  swappiness\n") && shown.contains("  swap\n"), "\(shown)")
        #expect(!shown.contains("Tailscale Serve"), "words match whole: not 'serve' in 'reserved'")
        try op.interrupt(statePath: sandbox.statePath)
    }

    /// The Unplug observations are asked even with -y; practice says to pretend, and `?` explains.
    @Test func practiceSaysWhenToPretend() throws {
        let sandbox = try Sandbox()
        let op = Operator(terminal: try sandbox.terminal(["--practice", "-y"] + sandbox.accountScenario()))
        try op.see("(practice) PRETEND: the simulated Spark has no laptop lid and no phone.")
        try op.see(Prompt.observations[0])
        op.terminal.send("y\r")
        try op.see("(practice) PRETEND:")
        try op.see(Prompt.observations[1])
        op.terminal.send("?\r")
        try op.see("Tailscale Serve")
        try op.see(Prompt.observations[1])
        op.terminal.send("y\r")
        try op.see(Prompt.observations[2])
        op.terminal.send("y\r")
        try op.complete()
    }

    @Test func theGlossaryExplainsEachTermTheIssueNames() throws {
        let sandbox = try Sandbox()
        for term in ["swap", "swappiness", "unified memory", "OOM killer", "systemd unit", "Type=forking", "Restart=",
                     "tmux session", "docker memory caps", "host-gateway", "tailnet", "MagicDNS", "Tailscale Serve", "64G gate"] {
            let (code, output) = try sandbox.run(["glossary"] + term.split(separator: " ").map(String.init))
            #expect(code == 0, "\(term): \(output)")
            let lines = output.split(separator: "\n")
            #expect((2...4).contains(lines.count), "\(term): two or three lines each\n\(output)")
        }
        let (all, text) = try sandbox.run(["glossary"])
        #expect(all == 0 && text.contains("host-gateway vs host network") && text.contains("MagicDNS"))
        let (unknown, message) = try sandbox.run(["glossary", "quantum"])
        #expect(unknown == 1 && message.contains("\"quantum\" is not in the glossary"), "\(message)")
    }
}
