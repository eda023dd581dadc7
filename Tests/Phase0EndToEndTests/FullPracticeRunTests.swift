import Testing
import Foundation

/// The whole procedure, Steps 0-5, typed at real readline prompts on the guide's simulated Spark.
@Suite struct FullPracticeRunTests {
    /// An operator runs all six steps; a second run finds everything done and changes nothing.
    @Test func allSixStepsThenASecondRunChangesNothing() throws {
        let sandbox = try Sandbox()
        let first = try sandbox.terminal(["--practice"])
        let op = Operator(terminal: first)
        try op.see("PRACTICE MODE on spark-2b7c (simulated)")
        try op.review()
        try op.step0()
        try op.step1()
        try op.step2()
        try op.step3()
        try op.step4()
        try op.step5()
        try op.complete()
        // Each command was shown and confirmed once: 7 + 1 + 4 + 2 + 1 + 1.
        #expect(occurrences(of: "Run this? [y]es", in: first.transcript) == 16)
        #expect(!first.transcript.contains("Please answer"))
        #expect(!first.transcript.contains("Not accepted"))

        #expect(try sandbox.stepStatuses() == Array(repeating: "done", count: 6))
        let history = try sandbox.history()
        #expect(historyMatches(history, fullRunHistory), "\(history)")
        let machineBefore = try sandbox.machine() as NSDictionary
        let answers = try #require(try sandbox.status()["answers"] as? [String: String])
        #expect(answers["webuiNetwork"] == "auto" && answers["installMosh"] == "yes" && answers["unplugTmuxIntact"] == "yes")
        let machine = try sandbox.machine()
        let sessions = try #require(machine["tmuxSessions"] as? [[String: Any]])
        #expect(sessions.map { $0["name"] as? String } == ["vybn"] && sessions.first?["fromUnit"] as? String == "vybn-agent.service")
        let containers = try #require(machine["containers"] as? [[String: Any]])
        #expect(containers.count == 1 && containers.first?["name"] as? String == "open-webui" && containers.first?["running"] as? Bool == true)
        #expect((machine["tailscale"] as? [String: Any])?["serveProxy"] as? String == "http://127.0.0.1:3000")

        let second = try sandbox.terminal(["--practice"])
        for step in 0...5 {
            try second.expect("== Step \(step) of 5: ")
            try second.expect("[done] verified again:")
        }
        try second.expect("Phase 0 complete: all steps done and verified.")
        #expect(try second.waitForExit() == 0, "\(second.unread)")
        // Nothing asked, nothing shown to run, nothing run.
        for text in ["Will run", "Run this?", "]: ", "When done", "[y]es / [n]o:", "  -> "] {
            #expect(!second.transcript.contains(text), "the second run showed \"\(text)\":\n\(second.transcript)")
        }
        #expect(try sandbox.history() == history)
        #expect(try sandbox.machine() as NSDictionary == machineBefore)
        #expect(try sandbox.stepStatuses() == Array(repeating: "done", count: 6))
    }

    /// Ctrl-C at Step 2's "enable" confirmation, then a new run resumes there: Steps 0-1 are
    /// verified again, Step 2's done actions re-checked, its answers not asked again, and the
    /// procedure completes with every command run exactly once.
    @Test func ctrlCInStep2ThenResumeToCompletion() throws {
        let sandbox = try Sandbox()
        let first = try sandbox.terminal(["--practice"])
        let op = Operator(terminal: first)
        try op.review()
        try op.step0()
        try op.step1()
        try op.step2Questions()
        try op.confirm(Operator.unitFile, done: "Install the unit file (mode 0644)")
        try op.confirm(["sudo systemctl daemon-reload"], done: "Have systemd read the unit (daemon-reload)")
        try op.see("$ sudo systemctl enable vybn-agent.service")
        try op.see(Prompt.confirm)
        try op.interrupt(statePath: sandbox.statePath)

        #expect(try sandbox.stepStatuses() == ["done", "done", "in-progress", "pending", "pending", "pending"])
        #expect(try sandbox.actions(of: 2).map { "\($0.0) \($0.1)" } == ["unit-file done", "daemon-reload done"])
        #expect(historyMatches(try sandbox.history(), Array(fullRunHistory.prefix(15))))
        let answers = try #require(try sandbox.status()["answers"] as? [String: String])
        #expect(answers["tmuxSession"] == "vybn" && answers["ollamaURL"] == "http://127.0.0.1:11434")

        let second = try sandbox.terminal(["--practice"])
        let resumed = Operator(terminal: second)
        for step in 0...1 {
            try resumed.see("== Step \(step) of 5: ")
            try resumed.see("[done] verified again:")
        }
        try resumed.see("== Step 2 of 5: Run the agent under systemd, in tmux ==")
        try resumed.see("tmux -L vybn for vybnz69: no server running")
        try resumed.see("[ok] Install the unit file (mode 0644): as rendered, 0644")
        try resumed.see("[ok] Have systemd read the unit (daemon-reload)")
        try resumed.confirm(["sudo systemctl enable vybn-agent.service"], done: "Enable the unit at boot: enabled")
        try resumed.see("[not needed] Stop the agent running outside the unit (one agent instance)")
        try resumed.see("[not needed] Stop the tmux server on the agent's socket that the unit did not start")
        try resumed.step2Start()
        try resumed.step3()
        try resumed.step4()
        try resumed.step5()
        try resumed.complete()
        for question in Defaults.step2.map(\.0) {
            #expect(!second.transcript.contains(question + " ["), "asked again: \(question)")
        }
        let finalHistory = try sandbox.history()
        #expect(historyMatches(finalHistory, fullRunHistory), "\(finalHistory)")
        #expect(try sandbox.stepStatuses() == Array(repeating: "done", count: 6))
    }

    /// In practice Tab completes paths from the simulated Spark's files, not this computer's:
    /// "/us" completes to nothing there (no /usr on it), "~/Vy" and "bin/py" do. Values are
    /// changed at the review screen, validated as at their step's prompt.
    @Test func tabCompletesPathsFromTheSimulatedSpark() throws {
        let sandbox = try Sandbox()
        let op = Operator(terminal: try sandbox.terminal(["--practice"]))
        try op.see("The values this run will use")
        try op.see(Prompt.review)
        op.terminal.send("agentDir\r")
        try op.see("Agent directory (holds tui.py) [/home/vybnz69/Vybn/spark]: ")
        op.terminal.send("/us\tX\r")
        try op.see("Not accepted: /usX is not a directory on spark-2b7c (simulated)")
        try op.see("Agent directory (holds tui.py) [/home/vybnz69/Vybn/spark]: ")
        op.terminal.send("/home/vybnz69/Vy\t")
        try op.see("/home/vybnz69/Vybn/")
        op.terminal.send("sp\t")
        try op.see("spark/")
        op.terminal.send("\r")
        try op.see(Prompt.review)
        op.terminal.send("venvPython\r")
        try op.see("Python of the agent's venv [/home/vybnz69/.venv/spark/bin/python]: ")
        op.terminal.send("/home/vybnz69/.venv/spark/bin/py\t")
        try op.see("python ")
        op.terminal.send("\r")
        try op.see(Prompt.review)
        op.terminal.send("\r")
        try op.step0()
        try op.see(Prompt.installMosh)
        try op.interrupt(statePath: sandbox.statePath)
        let answers = try #require(try sandbox.status()["answers"] as? [String: String])
        #expect(answers["agentDir"] == "/home/vybnz69/Vybn/spark")
        #expect(answers["venvPython"] == "/home/vybnz69/.venv/spark/bin/python")
    }
}
