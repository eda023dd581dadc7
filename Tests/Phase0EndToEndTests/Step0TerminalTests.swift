import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let confirmation = Prompt.confirm

/// Step 0's actions after the first, as titled on screen, with the command each shows.
let laterActions = [
    ("Make the swapfile readable by root only", "$ sudo chmod 600 /swapfile"),
    ("Write the swap signature (mkswap)", "$ sudo mkswap /swapfile"),
    ("Turn the swapfile on (swapon)", "$ sudo swapon /swapfile"),
    ("Lower swappiness now", "$ sudo sysctl -w vm.swappiness=10"),
    ("Keep swappiness after reboot (/etc/sysctl.d/99-zz-phase0-swappiness.conf)", "$ sudo mv -f /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new"),
    ("Keep the swapfile after reboot (/etc/fstab)", "$ sudo mv -f /etc/fstab.phase0-new /etc/fstab"),
]

/// What Step 0 changes on the guide's Spark, in order: the first ten lines of a full run.
let step0History = Array(fullRunHistory.prefix(10))

/// Step 0 is over and Step 1 asks whether to install mosh: Ctrl-C there ends the run with
/// exit 130, Step 0 done, Step 1 still pending and unanswered.
func leaveAtStep1(_ terminal: PTYSession, statePath: String) throws {
    try terminal.expect("[done] Step 0 verified")
    try terminal.expect("== Step 1 of 5: Install mosh (optional) ==")
    try terminal.expect(Prompt.installMosh)
    try Operator(terminal: terminal).interrupt(statePath: statePath)
}

@Suite struct Step0TerminalTests {
    /// The whole of practice Step 0 typed at real readline prompts, with Tab completion.
    @Test func practiceStep0Interactively() throws {
        let sandbox = try Sandbox()
        let terminal = try sandbox.terminal(["--practice"])
        try terminal.expect("PRACTICE MODE")
        // Facts, then the values: the review screen, where the size is changed and checked.
        try terminal.expect(Prompt.review)
        terminal.send("swapSize\r")
        try terminal.expect("Swapfile size [128G]: ")
        terminal.send("12X\r")
        try terminal.expect("Not accepted: \"12X\" has an unknown unit")
        try terminal.expect("Swapfile size [128G]: ")
        terminal.send("128G\r")
        try terminal.expect(Prompt.review)
        terminal.send("\r")
        try terminal.expect("Swap gate: 16G of the required 64G (not yet)")
        try terminal.expect("$ sudo fallocate -l 128G /swapfile")
        try terminal.expect(confirmation)
        terminal.send("e\r")
        try terminal.expect("Why: fallocate reserves the space instantly")
        try terminal.expect(confirmation)
        // Tab completes the choice: "ye" becomes "yes".
        terminal.send("ye\t")
        try terminal.expect("yes")
        terminal.send("\r")
        try terminal.expect("[done] Allocate the swapfile: 128G")
        for (title, command) in laterActions {
            try terminal.expect(command)
            try terminal.expect(confirmation)
            terminal.send("y\r")
            try terminal.expect("[done] \(title)")
        }
        try leaveAtStep1(terminal, statePath: sandbox.statePath)

        #expect(try sandbox.stepStatuses() == ["done", "pending", "pending", "pending", "pending", "pending"])
        let answers = try #require(try sandbox.status()["answers"] as? [String: String])
        #expect(answers["swapfile"] == "/swapfile" && answers["swapSize"] == "128G" && answers["swappiness"] == "10")
        #expect(try sandbox.history() == step0History)
        // Readline's history is kept beside the resume file, private, with only the accepted
        // answers: the refused "12X" is not in it.
        let historyPath = sandbox.statePath + ".history"
        let history = try String(contentsOfFile: historyPath, encoding: .utf8)
        #expect(history.contains("128G\n") && history.contains("yes"), "\(history)")
        #expect(!history.contains("12X"), "a refused answer was kept in the history: \(history)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory + "/history"))
        let mode = try FileManager.default.attributesOfItem(atPath: historyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// Ctrl-C at a confirmation: exit 130, progress kept; the next run resumes where it stopped.
    @Test func ctrlCAtAConfirmationThenResume() throws {
        let sandbox = try Sandbox()
        let first = try sandbox.terminal(["--practice"])
        try first.expect(Prompt.review)
        first.send("\r")
        try first.expect(confirmation)
        first.send("y\r")
        try first.expect("[done] Allocate the swapfile")
        try first.expect(confirmation)
        first.send("y\r")
        try first.expect("[done] Make the swapfile readable by root only")
        try first.expect("$ sudo mkswap /swapfile")
        try first.expect(confirmation)
        first.send("\u{03}")
        try first.expect("Interrupted.")
        try first.expect("Progress is saved in \(sandbox.statePath). Run `phase0 --practice` again to resume where it stopped")
        #expect(try first.waitForExit() == 130)

        let step = try sandbox.step0()
        #expect(step["status"] as? String == "in-progress")
        let actions = try #require(step["actions"] as? [[String: Any]])
        #expect(actions.map { $0["id"] as? String } == ["allocate", "permissions"])
        #expect(actions.allSatisfy { $0["status"] as? String == "done" })
        #expect(try sandbox.history() == Array(step0History.prefix(2)))

        let second = try sandbox.terminal(["--practice"])
        try second.expect("[ok] Allocate the swapfile")
        try second.expect("[ok] Make the swapfile readable by root only")
        try second.expect("-> Write the swap signature (mkswap)")
        try second.expect(confirmation)
        // Answers come from the resume file; done actions are re-checked, not redone.
        #expect(!second.transcript.contains("Swapfile path ["))
        #expect(!second.transcript.contains("-> Allocate the swapfile"))
        #expect(!second.transcript.contains("$ sudo fallocate"))
        second.send("y\r")
        for (title, _) in laterActions.dropFirst(2) {
            try second.expect(confirmation)
            second.send("y\r")
            try second.expect("[done] \(title)")
        }
        try leaveAtStep1(second, statePath: sandbox.statePath)
        #expect(try sandbox.stepStatuses() == ["done", "pending", "pending", "pending", "pending", "pending"])
        #expect(try sandbox.history() == step0History)
    }

    /// Ctrl-C while changing a value at the review: nothing of the review is kept (its values
    /// are taken only by Enter), and the file stays valid.
    @Test func ctrlCAtAQuestion() throws {
        let sandbox = try Sandbox()
        let terminal = try sandbox.terminal(["--practice"])
        try terminal.expect(Prompt.review)
        terminal.send("swapSize\r")
        try terminal.expect("Swapfile size [128G]: ")
        terminal.send("64")
        terminal.send("\u{03}")
        try terminal.expect("Progress is saved")
        #expect(try terminal.waitForExit() == 130)
        #expect(try sandbox.status()["answers"] as? [String: String] == [:])
        #expect(try sandbox.history().isEmpty)
    }

    /// A second wizard on the same state file: exit 75, naming the holder's PID.
    @Test func theLockIsHeldWhileAWizardWaits() throws {
        let sandbox = try Sandbox()
        let holder = try sandbox.terminal(["--practice"])
        try holder.expect(Prompt.review)
        let (code, output) = try sandbox.run(["--practice", "-y"])
        #expect(code == 75)
        #expect(output.contains("another phase0 (PID \(holder.pid)) is using \(sandbox.statePath)"), "\(output)")
        holder.send("\u{03}")
        #expect(try holder.waitForExit() == 130)
    }
}

