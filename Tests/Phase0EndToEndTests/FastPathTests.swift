import Testing
import Foundation

/// The usual command lines are answered without ArgumentParser (Sources/phase0/FastPath.swift,
/// issue 14); ArgumentParser stays the definition of the command line. Each form is run both
/// ways: as given (the fast path) and with `--state=FILE` or another spelling the fast path
/// leaves to ArgumentParser. Same exit status, same output, same resume file.
@Suite struct FastPathTests {
    static let answers = """
        {"unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}
        """

    /// The output with the two state paths made the same.
    static func same(_ text: String, _ path: String) -> String { text.replacingOccurrences(of: path, with: "STATE") }

    /// The resume file without what differs between two honest runs (times: of the run, of
    /// each action, of each command recorded for the runbook).
    static func normalized(_ path: String) throws -> String {
        var text = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["updatedAt", "startedAt", "finishedAt", "at"] {
            text = text.replacingOccurrences(of: "\"\(key)\":\"[0-9TZ:-]+\"", with: "", options: .regularExpression)
        }
        return text
    }

    @Test func versionIsTheSameBothWays() throws {
        let sandbox = try Sandbox()
        let fast = try sandbox.run(["--version"])
        let parsed = try sandbox.run(["run", "--version"])
        #expect(fast.0 == 0 && fast.1 == parsed.1 && parsed.0 == 0, "\(fast) vs \(parsed)")
        #expect(fast.1.split(separator: "\n").count == 1 && fast.1.first?.isNumber == true, "\(fast.1)")
    }

    @Test func aWholePracticeRunIsTheSameBothWays() throws {
        let sandbox = try Sandbox()
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(Self.answers, to: answers)
        let fastState = sandbox.dir + "/fast/practice.json", parsedState = sandbox.dir + "/parsed/practice.json"
        // Open WebUI's first account registered: nobody registers one during a -y run.
        let account = try sandbox.accountScenario()
        let fast = try sandbox.run(["--practice", "-y", "--answers", answers, "--state", fastState] + account)
        let parsed = try sandbox.run(
            ["run", "--practice", "--assume-yes", "--answers", answers, "--state=\(parsedState)", "--scenario=\(account[1])"])
        #expect(fast.0 == 0 && parsed.0 == 0, "\(fast.1)\n---\n\(parsed.1)")
        #expect(Self.same(fast.1, fastState) == Self.same(parsed.1, parsedState))
        #expect(try Self.normalized(fastState) == Self.normalized(parsedState))

        // The read-only subcommands on that run.
        for command in [["status", "--practice", "--json"], ["status", "--practice"], ["render", "unit", "--practice"],
                        ["render", "docker", "--practice"], ["render", "unit", "--practice", "--answers", answers],
                        ["status", "--json"]] {
            let fastRead = try sandbox.run(command + ["--state", fastState])
            let parsedRead = try sandbox.run(command + ["--state=\(fastState)"])
            #expect(fastRead.0 == parsedRead.0 && fastRead.1 == parsedRead.1, "\(command): \(fastRead) vs \(parsedRead)")
        }
    }

    /// What the fast path does not take goes to ArgumentParser: its errors and its help.
    @Test func anythingElseIsArgumentParsers() throws {
        let sandbox = try Sandbox()
        let state = sandbox.dir + "/practice.json"
        for (arguments, status, says) in [
            (["--practice", "--state"], Int32(64), "--state"),
            (["status", "--bogus"], 64, "--bogus"),
            (["--scenario", "x.json"], 64, "--scenario needs --practice"),
            (["render", "--state", state], 64, "<artifact>"),
            (["render", "nothing", "--state", state], 64, "nothing"),
            (["--help"], 0, "USAGE"),
        ] as [([String], Int32, String)] {
            let (code, output) = try sandbox.run(arguments)
            #expect(code == status && output.contains(says), "\(arguments): \(code) \(output)")
        }
    }
}
