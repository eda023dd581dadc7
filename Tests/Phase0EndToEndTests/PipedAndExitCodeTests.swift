import Testing
import Foundation
import Phase0TestKit

@Suite struct PipedInputTests {
    /// Not a terminal: plain lines are read. End of input at a confirmation stops (130), never a yes.
    @Test func pipedAnswersThenEndOfInput() throws {
        let sandbox = try Sandbox()
        // Enter at the review screen takes the values shown; then two yeses.
        let (code, output) = try sandbox.run(["--practice"], input: "\ny\ny\n")
        #expect(code == 130, "\(output)")
        #expect(output.contains("end of input before \"Write the swap signature (mkswap)\" was confirmed (end of input is never a yes)"))
        #expect(output.contains("Progress is saved in \(sandbox.statePath)"))
        #expect(try sandbox.history() == Array(step0History.prefix(2)))
        // No readline without a terminal, so no readline history either.
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory + "/history"))

        let (again, rest) = try sandbox.run(["--practice"], input: String(repeating: "y\n", count: 5))
        #expect(rest.contains("[done] Step 0 verified"), "\(rest)")
        #expect(!rest.contains("Swapfile path ["))
        // Step 1 asks whether to install mosh; input ends there, which is a stop, not a yes or a skip.
        #expect(again == 130, "\(rest)")
        #expect(rest.contains("Stopped: end of input at: Install mosh?"), "\(rest)")
        #expect(try sandbox.history() == step0History)
        #expect(try sandbox.stepStatuses() == ["done", "pending", "pending", "pending", "pending", "pending"])
    }

    /// -y confirms every command of Steps 0-4 without input, but never answers what only the
    /// operator can see: Step 5's first observation stops the run (exit 130), nothing answered.
    /// (Open WebUI's first account exists here: -y cannot register one; see SafetyEndToEndTests.)
    @Test func assumeYesRunsUpToTheFirstObservation() throws {
        let sandbox = try Sandbox()
        let scenario = sandbox.dir + "/scenario.json"
        try sandbox.write(#"{"webuiAccounts": 1}"#, to: scenario)
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", scenario])
        #expect(code == 130, "\(output)")
        for step in 0...4 { #expect(output.contains("[done] Step \(step) verified:"), "Step \(step)") }
        #expect(output.contains("Stopped: end of input at: Unplug check 1: laptop lid closed for 5 minutes"), "\(output)")
        #expect(!output.contains("Phase 0 complete:"))
        #expect(try sandbox.stepStatuses() == ["done", "done", "done", "done", "done", "in-progress"])
        let answers = try #require(try sandbox.status()["answers"] as? [String: String])
        #expect(answers["unplugLidClosed"] == nil && answers["installMosh"] == "yes")
        // Everything up to Step 5's docker stop/start, in order, each once.
        let history = try sandbox.history()
        #expect(historyMatches(history, Array(fullRunHistory.dropLast(2))), "\(history)")
    }
}

@Suite struct ExitCodeTests {
    @Test func usageErrorsExit64() throws {
        let sandbox = try Sandbox()
        let (bogus, bogusOutput) = try sandbox.run(["--bogus"])
        #expect(bogus == 64 && bogusOutput.contains("--bogus"), "\(bogusOutput)")
        let (scenarioCode, scenarioOutput) = try sandbox.run(["run", "--scenario", "/nonexistent.json"])
        #expect(scenarioCode == 64 && scenarioOutput.contains("--scenario needs --practice"), "\(scenarioOutput)")
        #expect(try sandbox.run(["status", "--no-such-flag"]).0 == 64)
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
    }

    @Test func versionAndHelpExit0() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--version"])
        // "0.1.0 aarch64, Swift 6.0.3 (Debian trixie), commit 0f0a67b1c2d3" (build-release stamps the build).
        let words = output.split(separator: " ")
        #expect(code == 0 && words.first?.split(separator: ".").count == 3 && ["x86_64,", "aarch64,"].contains(words.dropFirst().first ?? ""), "\(output)")
        let (helpCode, help) = try sandbox.run(["--help"])
        #expect(helpCode == 0 && help.contains("Exit codes: 0 complete") && help.contains("130 interrupted"), "\(help)")
    }

    @Test func aBadAnswersFileExits65() throws {
        let sandbox = try Sandbox()
        let path = sandbox.dir + "/answers.json"
        try write(#"{"swapsize": "64G"}"#, to: path, mode: 0o644)
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", path])
        #expect(code == 65)
        #expect(output.contains("phase0: \(path): unknown key \"swapsize\""), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath))
    }

    /// A scenario no machine could have is refused before anything runs, naming the file and the key.
    @Test(arguments: [
        (#"{"filesystem": {"freeGiB": -1}}"#, "filesystem.freeGiB must be between 0 and 1000000"),
        (#"{"ollamaListen": "0.0.0.0"}"#, "ollamaListen must be ADDRESS:PORT, such as \"127.0.0.1:11434\" or \"0.0.0.0:11434\", not \"0.0.0.0\""),
        (#"{"tmuxSession": ["vybn"]}"#, "unknown key \"tmuxSession\""),
    ])
    func aBadScenarioFileExits65(json: String, problem: String) throws {
        let sandbox = try Sandbox()
        let path = sandbox.dir + "/scenario.json"
        try write(json, to: path, mode: 0o644)
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", path])
        #expect(code == 65)
        #expect(output.contains("phase0: \(path): "), "\(output)")
        #expect(output.contains(problem), "\(output)")
        #expect(output.contains("The file was left as it is."))
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath))
    }

    @Test func aCorruptResumeFileExits65AndIsLeftAlone() throws {
        let sandbox = try Sandbox()
        try write("{\"format\": 1, \"mode\": \"prac", to: sandbox.statePath)
        let before = FileManager.default.contents(atPath: sandbox.statePath)
        let (code, output) = try sandbox.run(["--practice", "-y"])
        #expect(code == 65)
        #expect(output.contains("phase0: \(sandbox.statePath): is not a valid progress file"), "\(output)")
        #expect(FileManager.default.contents(atPath: sandbox.statePath) == before)
        #expect(try sandbox.run(["status", "--practice"]).0 == 65)
        // reset moves it aside, never deletes it; the next run starts over.
        let (resetCode, resetOutput) = try sandbox.run(["reset", "--practice"])
        #expect(resetCode == 0, "\(resetOutput)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath))
        let moved = try FileManager.default.contentsOfDirectory(atPath: sandbox.stateDirectory).filter { $0.hasPrefix("practice.json.reset-") }
        #expect(moved.count == 1)
        #expect(moved.first.flatMap { FileManager.default.contents(atPath: sandbox.stateDirectory + "/" + $0) } == before)
    }
}
