import Testing
import Foundation

/// The built binary: `export answers` replayed on a fresh state reaches the same end state;
/// `export ansible` and `undo` through the command line.
@Suite struct ExportAndUndoTests {
    /// Values other than the guide's, so a replay with defaults would not reach the same end.
    static let custom: [String: String] = [
        "swapSize": "96G", "swappiness": "5", "tmuxSession": "agent", "webuiPort": "3100", "installMosh": "no",
        "unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes",
    ]

    static func json(_ answers: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: answers, options: [.sortedKeys]), as: UTF8.self)
    }

    /// What `status --json` says of the end state: the machine without its command history
    /// and the steps' and actions' statuses.
    static func endState(_ sandbox: Sandbox, state: String) throws -> (machine: NSDictionary, steps: [String]) {
        let (code, text) = try sandbox.run(["status", "--practice", "--json", "--state", state])
        guard code == 0 else { throw PTYError(description: "status exited \(code): \(text)") }
        let status = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var machine = try #require(status["machine"] as? [String: Any])
        machine["history"] = nil
        let steps = try #require(status["steps"] as? [[String: Any]]).map { step in
            "\(step["number"] ?? "?"):\(step["status"] ?? "?"):" + ((step["actions"] as? [[String: Any]]) ?? [])
                .map { "\($0["id"] ?? "?")=\($0["status"] ?? "?")" }.joined(separator: ",")
        }
        return (machine as NSDictionary, steps)
    }

    @Test func exportedAnswersReplayToTheSameEndState() throws {
        let sandbox = try Sandbox()
        let given = sandbox.dir + "/given.json", exported = sandbox.dir + "/exported.json"
        try sandbox.write(try Self.json(Self.custom), to: given)
        let first = sandbox.dir + "/first.json", second = sandbox.dir + "/second.json"
        let (runCode, runOutput) = try sandbox.run(["--practice", "--state", first, "-y", "--answers", given] + (try sandbox.accountScenario()))
        #expect(runCode == 0, "\(runOutput.suffix(600))")

        let (code, output) = try sandbox.run(["export", "answers", exported, "--practice", "--state", first])
        #expect(code == 0, "\(output)")
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        let answers = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(answers["unplugLidClosed"] == nil && answers["swapSize"] == "96G" && answers["tmuxSession"] == "agent")
        #expect(output.contains("not exported (asked again on every machine): unplugLidClosed, unplugPhoneChat, unplugTmuxIntact"))

        // The observations are the operator's, on the new machine too: typed at the prompt.
        let (replayCode, replay) = try sandbox.run(["--practice", "--state", second, "-y", "--answers", exported] + (try sandbox.accountScenario()), input: "y\ny\ny\n")
        #expect(replayCode == 0, "\(replay.suffix(600))")
        let a = try Self.endState(sandbox, state: first), b = try Self.endState(sandbox, state: second)
        #expect(a.machine == b.machine)
        #expect(a.steps == b.steps)
        // It can fail: the guide's defaults do not reach that end state.
        let third = sandbox.dir + "/third.json"
        _ = try sandbox.run(["--practice", "--state", third, "-y"] + (try sandbox.accountScenario()), input: "y\ny\ny\n")
        #expect(try Self.endState(sandbox, state: third).machine != a.machine)
        // An existing file is never overwritten.
        let (again, refused) = try sandbox.run(["export", "answers", exported, "--practice", "--state", first])
        #expect(again == 1 && refused.contains("it exists; phase0 never overwrites a file"), "\(refused)")
    }

    @Test func exportAnsibleWritesADirectoryOnceAndUndoHasHelp() throws {
        let sandbox = try Sandbox()
        let directory = sandbox.dir + "/pb"
        let (code, output) = try sandbox.run(["export", "ansible", directory, "--practice"])
        #expect(code == 0, "\(output)")
        for file in ["playbook.yml", "inventory.example.ini", "README.md", "files/vybn-agent.service", "files/99-zz-phase0-swappiness.conf"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "\(file)")
        }
        let (renderCode, unit) = try sandbox.run(["render", "unit", "--practice"])
        let exportedUnit = try String(contentsOfFile: directory + "/files/vybn-agent.service", encoding: .utf8)
        #expect(renderCode == 0 && unit == exportedUnit)
        let (again, refused) = try sandbox.run(["export", "ansible", directory, "--practice"])
        #expect(again == 1 && refused.contains("it exists; phase0 never overwrites"), "\(refused)")
        for command in [["undo", "--help"], ["export", "--help"], ["export", "answers", "--help"], ["export", "ansible", "--help"]] {
            let (helpCode, help) = try sandbox.run(command)
            #expect(helpCode == 0 && help.contains("USAGE"), "\(command): \(help)")
        }
        #expect(try sandbox.run(["undo", "7", "--practice"]).0 == 64)
    }

    @Test func purgeIsAskedAgainInPersonAndMinusYDoesNotAnswerIt() throws {
        let sandbox = try Sandbox()
        let given = sandbox.dir + "/given.json"
        try sandbox.write(try Self.json(["unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"]), to: given)
        #expect(try sandbox.run(["--practice", "-y", "--answers", given] + (try sandbox.accountScenario())).0 == 0)
        let (stopped, said) = try sandbox.run(["undo", "3", "--purge", "-y", "--practice"], input: "yes\n")
        #expect(stopped == 130 && said.contains("Nothing was changed: --purge was not confirmed"), "\(said)")
        #expect(try Self.endState(sandbox, state: sandbox.statePath).steps[3].hasPrefix("3:done"))
        let (code, output) = try sandbox.run(["undo", "3", "--purge", "-y", "--practice"], input: "open-webui\n")
        #expect(code == 0, "\(output.suffix(600))")
        #expect(output.contains("sudo docker volume rm open-webui"))
        #expect(try Self.endState(sandbox, state: sandbox.statePath).steps[3].hasPrefix("3:pending"))
    }
}
