import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Issue 10, signals and descriptors, with the built binary: SIGTERM, SIGHUP and SIGQUIT at a
/// readline prompt; a file size limit with SIGXFSZ at its default disposition; closed
/// standard descriptors; temporary files of a killed save; refused runs that leave no lock.
@Suite struct SignalsAndDescriptorsTests {
    /// Like Ctrl-C: the terminal gets its echo and line editing back, progress is saved,
    /// exit 128 + the signal. Killed by the default action instead, readline's raw mode stayed.
    @Test(arguments: [SIGTERM, SIGHUP, SIGQUIT])
    func aSignalAtAPromptRestoresTheTerminalAndKeepsProgress(signal: Int32) throws {
        let sandbox = try Sandbox()
        let terminal = try sandbox.terminal(["--practice"])
        // Past the review (which saves every value shown) to Step 0's first confirmation.
        try terminal.expect(Prompt.review)
        terminal.send("\r")
        try terminal.expect(Prompt.confirm)
        // readline reads in raw mode: what the signal interrupts is a terminal without echo.
        #expect(terminal.localModes & tcflag_t(ICANON) == 0, "readline should have the terminal in raw mode")
        kill(terminal.pid, signal)
        try terminal.expect("Interrupted.")
        try terminal.expect("Progress is saved in \(sandbox.statePath)")
        #expect(try terminal.waitForExit() == 128 + signal)
        let modes = terminal.localModes
        #expect(modes & tcflag_t(ECHO) != 0 && modes & tcflag_t(ICANON) != 0, "the terminal was left without echo or line editing")
        #expect((try sandbox.status()["answers"] as? [String: String])?["swapfile"] == "/swapfile")
    }

    /// `ulimit -f 16` as a shell sets it, SIGXFSZ at its default: the save that would pass
    /// the limit fails with the promised message, the last good resume file stays, no
    /// temporary file is left. Before: killed by SIGXFSZ (exit 153) mid-write.
    @Test func aFileSizeLimitKeepsTheLastGoodProgress() throws {
        let sandbox = try Sandbox()
        let limited = try sandbox.spawn(after: "ulimit -f 16", ["--practice", "-y"] + sandbox.accountScenario())
        #expect(limited.status == 1, "\(limited.output.suffix(500))")
        #expect(limited.output.contains("could not save progress to \(sandbox.statePath): File too large"), "\(limited.output.suffix(500))")
        #expect(limited.output.contains("the previous progress file is unchanged"))
        #expect(!sandbox.stateFiles().contains { $0.contains(".tmp-") }, "\(sandbox.stateFiles())")
        let steps = try sandbox.stepStatuses()
        #expect(steps.first == "done" && steps.contains("pending"), "\(steps)")
        // Without the limit the same file resumes to where a run without a limit stops.
        let resumed = try sandbox.spawn(["--practice", "-y"] + sandbox.accountScenario())
        #expect(resumed.status == 130 && resumed.output.contains("Unplug check 1"), "\(resumed.output.suffix(300))")
    }

    /// stdout closed: the lock file and the transcript are not fd 1, so neither receives the
    /// screen. Before: the lock file held the whole screen.
    @Test func aClosedStdoutIsNotTakenByAFileOfPhase0() throws {
        let sandbox = try Sandbox()
        let run = try sandbox.spawn(["--practice", "-y"] + sandbox.accountScenario(), closed: [1])
        #expect(run.status == 130, "\(run.output)")
        let lock = try String(contentsOfFile: sandbox.statePath + ".lock", encoding: .utf8)
        #expect(lock.allSatisfy { $0.isNumber || $0 == "\n" } && lock.count < 12, "the lock file holds \(lock.prefix(200))")
        let transcript = try String(contentsOfFile: sandbox.statePath + ".transcript.log", encoding: .utf8)
        #expect(!transcript.contains("PRACTICE MODE") && transcript.contains("$ sudo fallocate"))
    }

    /// stdin closed: end of input at the first question, never the lock file's PID read as an
    /// answer. Before: "Not accepted: ... not \"PID\"".
    @Test func aClosedStdinIsEndOfInput() throws {
        let sandbox = try Sandbox()
        let run = try sandbox.spawn(["--practice"], closed: [0])
        #expect(run.status == 130, "\(run.output)")
        #expect(run.output.contains("Stopped: end of input at the review of the values"), "\(run.output.suffix(400))")
        #expect(!run.output.contains("Not accepted"), "\(run.output.suffix(400))")
    }

    /// stderr closed too, with everything else: the run still works and writes only its own files.
    @Test func allThreeClosedStillRunsAndKeepsItsFilesClean() throws {
        let sandbox = try Sandbox()
        let run = try sandbox.spawn(["--practice", "-y"] + sandbox.accountScenario(), closed: [0, 1, 2])
        #expect(run.status == 130)
        #expect(sandbox.stateFiles() == ["practice.json", "practice.json.lock", "practice.json.transcript.log"])
        let lock = try String(contentsOfFile: sandbox.statePath + ".lock", encoding: .utf8)
        #expect(lock.allSatisfy { $0.isNumber || $0 == "\n" })
        let transcript = try String(contentsOfFile: sandbox.statePath + ".transcript.log", encoding: .utf8)
        #expect(!transcript.contains("PRACTICE MODE"), "the transcript received the screen")
    }

    /// `NAME.tmp-PID` of a save that was killed is removed when the lock is next taken;
    /// another resume file's temporary file is not touched.
    @Test func aKilledSavesTemporaryFileIsRemovedWhenTheLockIsNextTaken() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.spawn(["--practice", "-y"])
        let stale = sandbox.statePath + ".tmp-4194301", other = sandbox.stateDirectory + "/other.json.tmp-4194301"
        try sandbox.write("{\"format\": 1, \"mo", to: stale)
        try sandbox.write("{}", to: other)
        _ = try sandbox.spawn(["--practice", "-y"])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    /// Refused for a bad input file, a run creates nothing: no lock file, no state directory.
    /// Before: the lock (and the directory) were made before the resume file and the
    /// scenario were read, and a bad Step 3 answer was found after Steps 0–2 had run.
    @Test(arguments: ["scenario", "resume", "answers"])
    func aRunRefusedForABadInputFileLeavesNoLockFile(kind: String) throws {
        let sandbox = try Sandbox()
        var arguments = ["--practice", "-y"]
        switch kind {
        case "scenario":
            try sandbox.write(#"{"ollamaListen": "0.0.0.0"}"#, to: sandbox.dir + "/scenario.json")
            arguments += ["--scenario", sandbox.dir + "/scenario.json"]
        case "resume":
            try sandbox.write("{\"format\": 1, \"mode\": \"prac", to: sandbox.statePath)
        default:
            try sandbox.write(#"{"webuiPort": "99999"}"#, to: sandbox.dir + "/answers.json")
            arguments += ["--answers", sandbox.dir + "/answers.json"]
        }
        let run = try sandbox.spawn(arguments)
        #expect(run.status == 65, "\(run.output.suffix(400))")
        #expect(!run.output.contains("== Step 0"), "\(run.output.prefix(400))")
        #expect(sandbox.stateFiles() == (kind == "resume" ? ["practice.json"] : []), "\(sandbox.stateFiles())")
    }
}
