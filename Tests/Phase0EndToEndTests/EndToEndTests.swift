import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built `phase0` beside this test bundle (`swift build` puts both in .build/CONFIG/),
/// or `$PHASE0_BINARY`.
func phase0Binary() throws -> String {
    if let path = ProcessInfo.processInfo.environment["PHASE0_BINARY"], !path.isEmpty { return path }
    let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let candidate = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("phase0").path
    guard FileManager.default.isExecutableFile(atPath: candidate) else {
        throw PTYError(description: "no phase0 binary at \(candidate): run `swift build` first, or set PHASE0_BINARY")
    }
    return candidate
}

/// A private home and state directory per test; nothing outside it is touched.
final class Sandbox {
    let dir: String
    let binary: String

    init() throws {
        var template = Array("\(NSTemporaryDirectory())/phase0-e2e-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PTYError(description: "mkdtemp") }
        dir = String(cString: made)
        binary = try phase0Binary()
        try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    var stateDirectory: String { dir + "/state/phase0" }
    var statePath: String { stateDirectory + "/practice.json" }

    /// No inputrc, no bracketed paste, a terminal without escape sequences.
    var environment: [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": dir + "/home", "XDG_STATE_HOME": dir + "/state",
         "TERM": "dumb", "LANG": "C.UTF-8", "INPUTRC": "/dev/null"]
    }

    func terminal(_ arguments: [String]) throws -> PTYSession {
        try PTYSession(binary, arguments, environment: environment)
    }

    /// Runs phase0 with stdin from `input` (a pipe, not a terminal) and returns (status, output).
    func run(_ arguments: [String], input: String = "") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `phase0 status --practice --json`, parsed.
    func status() throws -> [String: Any] {
        let (code, text) = try run(["status", "--practice", "--json"])
        guard code == 0 else { throw PTYError(description: "status exited \(code): \(text)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func step0() throws -> [String: Any] {
        let steps = try #require(try status()["steps"] as? [[String: Any]])
        return try #require(steps.first)
    }

    func history() throws -> [String] {
        let machine = try #require(try status()["machine"] as? [String: Any])
        return try #require(machine["history"] as? [String])
    }

    func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode_t(mode))
    }
}

let confirmation = "Run this? [y]es / [n]o / [e]xplain / [q]uit: "

/// Step 0's actions after the first, as titled on screen, with the command each shows.
let laterActions = [
    ("Make the swapfile readable by root only", "$ sudo chmod 600 /swapfile"),
    ("Write the swap signature (mkswap)", "$ sudo mkswap /swapfile"),
    ("Turn the swapfile on (swapon)", "$ sudo swapon /swapfile"),
    ("Lower swappiness now", "$ sudo sysctl -w vm.swappiness=10"),
    ("Keep swappiness after reboot (/etc/sysctl.d/99-phase0-swappiness.conf)", "$ sudo mv -f /etc/sysctl.d/99-phase0-swappiness.conf.phase0-new"),
    ("Keep the swapfile after reboot (/etc/fstab)", "$ sudo mv -f /etc/fstab.phase0-new /etc/fstab"),
]

let step0History = [
    "sudo fallocate -l 128G /swapfile", "sudo chmod 600 /swapfile", "sudo mkswap /swapfile", "sudo swapon /swapfile",
    "sudo sysctl -w vm.swappiness=10",
    "sudo install -m 0644 /dev/stdin /etc/sysctl.d/99-phase0-swappiness.conf.phase0-new  <<< (3 lines on stdin)",
    "sudo mv -f /etc/sysctl.d/99-phase0-swappiness.conf.phase0-new /etc/sysctl.d/99-phase0-swappiness.conf",
    "sudo cp -p --no-clobber /etc/fstab /etc/fstab.phase0-backup.1",
    "sudo install -m 0644 /dev/stdin /etc/fstab.phase0-new  <<< (7 lines on stdin)",
    "sudo mv -f /etc/fstab.phase0-new /etc/fstab",
]

/// Step 0 is over and Step 1 (written in parallel with these tests) has begun: whatever it
/// does first, Ctrl-C ends the run. Exit 1 while Step 1 is a stub that cannot verify, 130
/// once it asks something.
func leaveAtStep1(_ terminal: PTYSession) throws {
    try terminal.expect("[done] Step 0 verified")
    try terminal.expect("== Step 1 of 5")
    terminal.send("\u{03}")
    let code = try terminal.waitForExit()
    #expect(code == 1 || code == 130, "\(terminal.unread)")
}

@Suite struct TerminalTests {
    /// The whole of practice Step 0 typed at real readline prompts, with Tab completion.
    @Test func practiceStep0Interactively() throws {
        let sandbox = try Sandbox()
        let terminal = try sandbox.terminal(["--practice"])
        try terminal.expect("PRACTICE MODE")
        try terminal.expect("Swapfile path [/swapfile]: ")
        terminal.send("\r")
        try terminal.expect("Swapfile size [128G]: ")
        terminal.send("12X\r")
        try terminal.expect("Not accepted: \"12X\" has an unknown unit")
        try terminal.expect("Swapfile size [128G]: ")
        terminal.send("128G\r")
        try terminal.expect("vm.swappiness [10]: ")
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
        try leaveAtStep1(terminal)

        #expect(try sandbox.step0()["status"] as? String == "done")
        #expect(try sandbox.history().prefix(step0History.count).elementsEqual(step0History))
        // Readline's history is kept in the state directory, private.
        let historyPath = sandbox.stateDirectory + "/history"
        let history = try String(contentsOfFile: historyPath, encoding: .utf8)
        #expect(history.contains("128G\n") && history.contains("12X\n") && history.contains("yes"))
        let mode = try FileManager.default.attributesOfItem(atPath: historyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// Ctrl-C at a confirmation: exit 130, progress kept; the next run resumes where it stopped.
    @Test func ctrlCAtAConfirmationThenResume() throws {
        let sandbox = try Sandbox()
        let first = try sandbox.terminal(["--practice"])
        for prompt in ["Swapfile path [/swapfile]: ", "Swapfile size [128G]: ", "vm.swappiness [10]: "] {
            try first.expect(prompt)
            first.send("\r")
        }
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
        try first.expect("Progress is saved in \(sandbox.statePath). Run phase0 again to resume where it stopped.")
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
        try leaveAtStep1(second)
        #expect(try sandbox.history().prefix(step0History.count).elementsEqual(step0History))
    }

    /// Ctrl-C at a question: the answers given so far are kept, and the file stays valid.
    @Test func ctrlCAtAQuestion() throws {
        let sandbox = try Sandbox()
        let terminal = try sandbox.terminal(["--practice"])
        try terminal.expect("Swapfile path [/swapfile]: ")
        terminal.send("/swapfile\r")
        try terminal.expect("Swapfile size [128G]: ")
        terminal.send("64")
        terminal.send("\u{03}")
        try terminal.expect("Progress is saved")
        #expect(try terminal.waitForExit() == 130)
        #expect(try sandbox.status()["answers"] as? [String: String] == ["swapfile": "/swapfile"])
        #expect(try sandbox.history().isEmpty)
    }

    /// A second wizard on the same state file: exit 75, naming the holder's PID.
    @Test func theLockIsHeldWhileAWizardWaits() throws {
        let sandbox = try Sandbox()
        let holder = try sandbox.terminal(["--practice"])
        try holder.expect("Swapfile path [/swapfile]: ")
        let (code, output) = try sandbox.run(["--practice", "-y"])
        #expect(code == 75)
        #expect(output.contains("another phase0 (PID \(holder.pid)) is using \(sandbox.statePath)"), "\(output)")
        holder.send("\u{03}")
        #expect(try holder.waitForExit() == 130)
    }
}

@Suite struct PipedInputTests {
    /// Not a terminal: plain lines are read. End of input at a confirmation stops (130), never a yes.
    @Test func pipedAnswersThenEndOfInput() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice"], input: "\n128G\n\ny\ny\n")
        #expect(code == 130, "\(output)")
        #expect(output.contains("end of input before \"Write the swap signature (mkswap)\" was confirmed (end of input is never a yes)"))
        #expect(output.contains("Progress is saved in \(sandbox.statePath)"))
        #expect(try sandbox.history() == Array(step0History.prefix(2)))
        // No readline without a terminal, so no readline history either.
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory + "/history"))

        let (again, rest) = try sandbox.run(["--practice"], input: String(repeating: "y\n", count: 5))
        #expect(rest.contains("[done] Step 0 verified"), "\(rest)")
        #expect(!rest.contains("Swapfile path ["))
        #expect(again == 1 || again == 130, "\(rest)")
        #expect(try sandbox.history().prefix(step0History.count).elementsEqual(step0History))
    }

    @Test func assumeYesRunsStep0WithoutInput() throws {
        let sandbox = try Sandbox()
        let (_, output) = try sandbox.run(["--practice", "-y"])
        #expect(output.contains("[done] Step 0 verified"), "\(output)")
        #expect(try sandbox.step0()["status"] as? String == "done")
    }
}

@Suite struct ExitCodeTests {
    @Test func usageErrorsExit64() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run(["--bogus"]).0 == 64)
        #expect(try sandbox.run(["run", "--scenario", "/nonexistent.json"]).0 == 64)
        #expect(try sandbox.run(["status", "--no-such-flag"]).0 == 64)
    }

    @Test func versionAndHelpExit0() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--version"])
        #expect(code == 0 && !output.isEmpty)
        let (helpCode, help) = try sandbox.run(["--help"])
        #expect(helpCode == 0 && help.contains("130"))
    }

    @Test func aBadAnswersFileExits65() throws {
        let sandbox = try Sandbox()
        let path = sandbox.dir + "/answers.json"
        try sandbox.write(#"{"swapsize": "64G"}"#, to: path, mode: 0o644)
        let (code, output) = try sandbox.run(["--practice", "-y", "--answers", path])
        #expect(code == 65)
        #expect(output.contains("phase0: \(path): unknown key \"swapsize\""), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath))
    }

    @Test func aBadScenarioFileExits65() throws {
        let sandbox = try Sandbox()
        let path = sandbox.dir + "/scenario.json"
        try sandbox.write(#"{"filesystem": {"freeGiB": -1}}"#, to: path, mode: 0o644)
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", path])
        #expect(code == 65)
        #expect(output.contains(path) && output.contains("freeGiB"), "\(output)")
    }

    @Test func aCorruptResumeFileExits65AndIsLeftAlone() throws {
        let sandbox = try Sandbox()
        try sandbox.write("{\"format\": 1, \"mode\": \"prac", to: sandbox.statePath)
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

    @Test func aTinyDiskStopsAtTheGateWithExit3() throws {
        let sandbox = try Sandbox()
        let path = sandbox.dir + "/scenario.json"
        try sandbox.write(#"{"filesystem": {"freeGiB": 10}}"#, to: path, mode: 0o644)
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", path])
        #expect(code == 3, "\(output)")
        #expect(output.contains("has 10G free"))
        #expect(!output.contains("== Step 1"))
        #expect(try sandbox.history().isEmpty)
    }
}
