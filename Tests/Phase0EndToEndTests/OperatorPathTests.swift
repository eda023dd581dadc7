import Foundation
import Testing

/// Issue 12, the operator's path, in a real pseudo-terminal 80 columns wide: the plan first,
/// one review of the values, one meaning per key, text that fits, and an ending that says
/// exactly what happened.
@Suite struct OperatorPathTests {
    static let answers = """
        {"installMosh": "yes", "unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}
        """

    func narrowTerminal(_ sandbox: Sandbox, _ arguments: [String]) throws -> PTYSession {
        try PTYSession(sandbox.binary, arguments, environment: sandbox.environment, columns: 80)
    }

    func answersFile(_ sandbox: Sandbox, _ text: String = answers) throws -> String {
        let path = sandbox.dir + "/answers.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Lines wider than the terminal, ignoring the file contents and diffs shown verbatim.
    func overlong(_ transcript: String, width: Int = 80) -> [String] {
        transcript.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
            .filter { $0.count > width && !$0.hasPrefix("       ") }
    }

    /// The plan, then the review: every value with where it came from; one changed by its key,
    /// validated as at its prompt; Enter takes them all and no step asks again.
    @Test func aNewRunShowsThePlanThenOneReviewOfEveryValue() throws {
        let sandbox = try Sandbox()
        let terminal = try narrowTerminal(sandbox, ["--practice"])
        let op = Operator(terminal: terminal)
        try op.see("Phase 0 in six steps")
        try op.see("5  The Unplug Protocol: the guide's five checks")
        try op.see("Have ready: your phone with the Tailscale app")
        try op.see("The values this run will use")
        try op.see("swapfile")
        try op.see("default")
        // Said once, just before the first prompt.
        try op.see("(At any prompt: ? gives help, Tab completes; in practice Tab sees the simulated")
        try op.see(Prompt.review)
        terminal.send("?\r")
        try op.see("\"from\" says where it came from")
        try op.see(Prompt.review)
        terminal.send("webuiPort\r")
        try op.see("Port on 127.0.0.1 for Open WebUI [3000]: ")
        terminal.send("80000\r")
        try op.see("Not accepted")
        try op.see("Port on 127.0.0.1 for Open WebUI [3000]: ")
        terminal.send("3001\r")
        try op.see("3001")
        try op.see("typed")
        try op.see(Prompt.review)
        terminal.send("\r")
        try op.see("== Step 0 of 5: Expand swap (required) ==")
        // Facts before the first confirmation: memory and swap, as /proc shows them.
        try op.see("Memory: MemAvailable 230M of 121G")
        try op.see(Prompt.confirm)
        try op.interrupt(statePath: sandbox.statePath)
        let saved = try #require(try sandbox.status()["answers"] as? [String: String])
        #expect(saved["webuiPort"] == "3001" && saved["swapSize"] == "128G" && saved["tmuxSession"] == "vybn")
        #expect(!terminal.transcript.contains("Swapfile path ["), "a step asked a value the review had taken")
        #expect(overlong(terminal.transcript).isEmpty, "\(overlong(terminal.transcript))")
    }

    /// y, n, s, e, ?, q mean the same at every prompt; anything else is asked again.
    @Test func eachKeyMeansOneThingAtEveryPrompt() throws {
        let sandbox = try Sandbox()
        let terminal = try narrowTerminal(sandbox, ["--practice"])
        let op = Operator(terminal: terminal)
        try op.review()
        try op.see("$ sudo fallocate -l 128G /swapfile")
        try op.see(Prompt.confirm)
        terminal.send("zoe\r")
        try op.see("Please answer y, n, e, ? or q.")
        terminal.send("s\r")   // not offered here: asked again, never taken
        try op.see("Please answer y, n, e, ? or q.")
        terminal.send("?\r")
        try op.see("q  quit: stop here; progress is kept")
        terminal.send("e\r")
        try op.see("What phase0 will run here, with your values")
        try op.see("The guide's manual way for the whole step")
        terminal.send("e\r")
        try op.see("(The guide's manual way for this step is shown above.)")
        for _ in 0..<7 {
            try op.see(Prompt.confirm)
            terminal.send("y\r")
        }
        // Wider than the terminal: the question is said, the prompt is its last line.
        try op.see("Install mosh? (optional: SSH + tmux attach works fine without it)\r\n")
        try op.see("[y]es / [n]o / [s]kip / [e]xplain / [?] help / [q]uit: ")
        terminal.send("maybe\r")
        try op.see("Please answer y, n, s, e, ? or q.")
        terminal.send("e\r")
        try op.see("The guide's manual way for the whole step")
        terminal.send("n\r")
        try op.see("[skipped] Step 1.")
        try op.see("== Step 2 of 5")
        try op.see(Prompt.confirm)
        terminal.send("q\r")
        try op.see("Stopped: you quit before")
        #expect(try terminal.waitForExit() == 130)
        #expect(try sandbox.stepStatuses().prefix(2) == ["done", "skipped"])
        #expect(!terminal.transcript.contains("zoe\r\n  [done]"))
    }

    /// The ending says exactly what happened and what to do next; a skipped step is named.
    @Test func theEndSaysWhatWasDoneAndWhatNext() throws {
        let sandbox = try Sandbox()
        let file = try answersFile(sandbox, Self.answers.replacingOccurrences(of: "\"installMosh\": \"yes\"", with: "\"installMosh\": \"no\""))
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", file] + (try sandbox.accountScenario()))
        #expect(code == 0, "\(output.suffix(800))")
        #expect(output.contains("Phase 0 complete; Step 1 skipped (Install mosh)."))
        #expect(output.contains("/etc/fstab   (backup: /etc/fstab.phase0-backup.1)"))
        #expect(output.contains("Unit: vybn-agent.service, running tmux session vybn"))
        #expect(output.contains("Serve URL (phone, Tailscale connected): https://spark-2b7c.tail2b7c.ts.net"))
        #expect(output.contains("To undo: phase0 --practice undo STEP (0 to 4, or all;"))
        #expect(output.contains("What Phase 0 does not do"))
        #expect(output.contains("Transcript of every command phase0 ran, with its output: \(sandbox.statePath).transcript.log"))
        #expect(output.contains("Next: `phase0 reference`"))
        #expect(output.contains("[not needed] "), "a change already in place is not [ok]")

        // Taken up again, as the message said: Step 1 is done on the next run.
        let again = try answersFile(sandbox)
        let (second, rest) = try sandbox.run(["--practice", "-y", "--answers", again] + (try sandbox.accountScenario()))
        #expect(second == 0, "\(rest.suffix(600))")
        #expect(try sandbox.stepStatuses() == Array(repeating: "done", count: 6))
        #expect(rest.contains("Phase 0 complete: all steps done and verified."))
    }

    /// `answers show` / `answers set`: validated as at the prompt; a change to a done step
    /// says which step to redo, and `run --step N` redoes just that one.
    @Test func answersSetThenRunOneStepAgain() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", try answersFile(sandbox)] + (try sandbox.accountScenario()))
        #expect(code == 0, "\(output.suffix(600))")
        let (bad, refused) = try sandbox.run(["--practice", "answers", "set", "webuiPort", "80000"])
        #expect(bad == 64 && refused.contains("Not accepted") && refused.contains("Nothing was changed"), "\(refused)")
        let (unknown, said) = try sandbox.run(["answers", "set", "colour", "blue", "--practice"])
        #expect(unknown == 64 && said.contains("is not a value phase0 asks for"), "\(said)")
        let (set, told) = try sandbox.run(["answers", "--practice", "set", "tmuxSession", "agent"])
        #expect(set == 0, "\(told)")
        #expect(told.contains("Set tmuxSession = agent (was vybn)"))
        #expect(told.contains("Step 2 (Run the agent under systemd, in tmux) was done with the old value: redo it with phase0 --practice run --step 2."))
        let (shown, table) = try sandbox.run(["--practice", "answers"])
        #expect(shown == 0 && table.contains("tmuxSession") && table.contains("agent") && table.contains("resume file"), "\(table)")

        let before = try sandbox.history()
        let (redo, redone) = try sandbox.run(["--practice", "run", "--step", "2", "-y"])
        #expect(redo == 0, "\(redone.suffix(800))")
        #expect(redone.contains("== Step 2 of 5") && !redone.contains("== Step 3 of 5") && !redone.contains("== Step 1 of 5"))
        #expect(redone.contains("Step 2 redone and verified."))
        let after = try sandbox.history()
        #expect(after.count > before.count && after.contains { $0.contains("new-session") || $0.contains("vybn-agent.service") })
    }

    /// The gate holds for a single step too.
    @Test func runStepAfterStep0StillNeedsTheGate() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "-y", "run", "--step", "3"])
        #expect(code == 3, "\(output)")
        #expect(output.contains("STOPPED AT THE SWAP GATE") && !output.contains("== Step 0 of 5"))
        let (usage, said) = try sandbox.run(["--practice", "run", "--step", "9"])
        #expect(usage == 64 && said.contains("the steps are 0 to 5"), "\(said)")
    }

    /// A dry run says so, lists every step's commands (marking once where a real run would
    /// stop at the gate), and writes nothing.
    @Test func aDryRunListsEveryStepAndWritesNothing() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "--dry-run"])
        #expect(code == 0, "\(output.suffix(600))")
        #expect(output.contains("DRY RUN on spark-2b7c (simulated)") && !output.contains("LIVE:"))
        for step in 0...5 { #expect(output.contains("== Step \(step) of 5"), "Step \(step)") }
        #expect(output.components(separatedBy: "A real run would stop here").count == 2)
        #expect(output.contains("$ sudo tailscale serve --bg 3000"))
        #expect(output.contains("Dry run finished"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath))
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath + ".history"))
    }

    /// `--practice` before the subcommand, the safe ways in under --help, times in local time,
    /// JSON without escaped slashes.
    @Test func theCommandLineSaysTheSafeWaysIn() throws {
        let sandbox = try Sandbox()
        let (help, text) = try sandbox.run(["--help"])
        #expect(help == 0 && text.contains("phase0 --practice") && text.contains("phase0 --dry-run"), "\(text)")
        _ = try sandbox.run(["--practice", "-y", "--answers", try answersFile(sandbox)] + (try sandbox.accountScenario()))
        let (status, shown) = try sandbox.run(["--practice", "status"])
        #expect(status == 0 && shown.contains("Practice run, saved in"), "\(shown)")
        #expect(shown.contains("Answers:") && shown.contains("Allocate the swapfile: done") && shown.contains("Simulated Spark:"))
        let isoTime = try NSRegularExpression(pattern: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
        #expect(isoTime.firstMatch(in: shown, range: NSRange(shown.startIndex..., in: shown)) == nil, "a UTC timestamp where a local date belongs")
        #expect(shown.contains("Updated 20"))
        let (_, json) = try sandbox.run(["--practice", "status", "--json"])
        #expect(!json.contains("\\/") && json.contains("/etc/fstab"))
    }
}
