import Testing
import Foundation

/// Every drill, played by the built binary in a real pseudo-terminal with real readline: a
/// trainee who solves it (looks where an expert looks, names the cause, types the drill's fix,
/// verifies), and one who types only wrong commands, asks for help and gives up.
@Suite struct DrillTerminalTests {
    static let drillDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Steps/Teaching/Drills").standardized.path

    static let names = ["agent-oom-killed", "ollama-not-ready", "serve-https-off", "swap-lost-after-reboot",
                        "swappiness-reverted-at-boot", "tmux-server-by-hand", "webui-cannot-reach-ollama",
                        "webui-exposed-without-admin"]

    /// What the expert's first command shows on the broken Spark: the symptom to see.
    static let symptoms: [String: String] = [
        "agent-oom-killed": "Out of memory: Killed process 4102 (python3)",
        "ollama-not-ready": "ExecStartPre failed: curl: (7)",
        "serve-https-off": "No serve config",
        "swap-lost-after-reboot": "/swap.img file  16G",
        "swappiness-reverted-at-boot": "# /etc/sysctl.d/99-sysctl.conf",
        "tmux-server-by-hand": "scratch: 1 windows",
        "webui-cannot-reach-ollama": "curl: (7) Failed to connect to host.docker.internal port 11434",
        "webui-exposed-without-admin": "\"onboarding\":true",
    ]

    static let prompt = "vybnz69@spark-2b7c:~$ "

    struct DrillFile: Decodable {
        struct Expert: Decodable { var first: String }
        struct Choice: Decodable { var text: String; var correct: Bool }
        struct Cause: Decodable { var question: String; var choices: [Choice] }
        struct Fix: Decodable { var commands: [String] }
        struct Verify: Decodable { var commands: [String] }
        var title: String
        var step: Int
        var useful: [String]
        var expert: Expert
        var cause: Cause
        var fix: Fix
        var verify: Verify
    }

    func drill(_ name: String) throws -> DrillFile {
        try JSONDecoder().decode(DrillFile.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.drillDirectory)/\(name).json")))
    }

    @Test func everyDrillFileIsPlayedHere() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.drillDirectory).filter { $0.hasSuffix(".json") }
        #expect(files.map { String($0.dropLast(5)) }.sorted() == Self.names)
    }

    @Test(arguments: names)
    func aTraineeWhoKnowsTheWaySolvesIt(name: String) throws {
        let sandbox = try Sandbox()
        let file = try drill(name)
        let terminal = try sandbox.terminal(["drill", name])
        try terminal.expect("== Drill: \(file.title) (Step \(file.step)) ==")
        try terminal.expect(Self.prompt)
        terminal.send(file.expert.first + "\r")
        try terminal.expect(try #require(Self.symptoms[name]))
        try terminal.expect(Self.prompt)
        terminal.send("cause\r")
        try terminal.expect(file.cause.question)
        let answer = try #require(file.cause.choices.firstIndex { $0.correct }) + 1
        try terminal.expect("Your answer (1-\(file.cause.choices.count), Enter to go back): ")
        terminal.send("\(answer)\r")
        try terminal.expect("Right: ")
        for command in file.fix.commands {
            try terminal.expect(Self.prompt)
            terminal.send(command + "\r")
        }
        try terminal.expect("(The simulated Spark looks fixed. Now check it as you would on the real one.)")
        try terminal.expect(Self.prompt)
        terminal.send(file.verify.commands[0] + "\r")
        try terminal.expect("== Drill done: \(file.title) ==")
        try terminal.expect("What an expert looks at first: `\(file.expert.first)`")
        try terminal.expect("The guide on this case:")
        let commands = 2 + file.fix.commands.count
        try terminal.expect("Commands used: \(commands) ")
        try terminal.expect("Score: ")
        try terminal.expect("Best so far: ")
        #expect(try terminal.waitForExit() == 0, "\(terminal.unread)")

        let (code, list) = try sandbox.run(["drill"])
        #expect(code == 0, "\(list)")
        let line = try #require(list.split(separator: "\n").first { $0.contains(" \(name) ") })
        #expect(line.contains("done, best "), "\(line)")
        #expect(list.contains("1 of \(Self.names.count) done."), "\(list)")
    }

    @Test(arguments: names)
    func aTraineeWhoOnlyGuessesAsksForHelpAndGivesUp(name: String) throws {
        let sandbox = try Sandbox()
        let file = try drill(name)
        let terminal = try sandbox.terminal(["drill", name])
        try terminal.expect(Self.prompt)
        terminal.send("ipconfig /all\r")
        try terminal.expect("ipconfig: not in this drill. Useful here: `\(file.useful[0])`")
        try terminal.expect(Self.prompt)
        terminal.send("service vybn-agent status\r")
        try terminal.expect("service: not in this drill.")
        try terminal.expect(Self.prompt)
        terminal.send("?\r")
        try terminal.expect("Useful here (type them as on the Spark):")
        try terminal.expect("  " + file.useful.last!)
        try terminal.expect(Self.prompt)
        terminal.send("hint\r")
        try terminal.expect("Hint: an expert would look here first: `\(file.expert.first)`")
        try terminal.expect(Self.prompt)
        terminal.send("cause\r")
        let wrong = try #require(file.cause.choices.firstIndex { !$0.correct }) + 1
        try terminal.expect("Your answer (1-")
        terminal.send("\(wrong)\r")
        try terminal.expect("Not that: ")
        try terminal.expect(Self.prompt)
        terminal.send("giveup\r")
        try terminal.expect("== Drill ended: \(file.title) ==")
        try terminal.expect("The cause: \(try #require(file.cause.choices.first { $0.correct }).text)")
        try terminal.expect("  " + file.fix.commands[0])
        try terminal.expect("Commands used: 2 (an expert needs about")
        try terminal.expect("Hints: 1. Wrong causes: 1.")
        try terminal.expect("Score: 0/100 (not finished)")
        #expect(try terminal.waitForExit() == 1, "\(terminal.unread)")

        let (_, list) = try sandbox.run(["drill"])
        let line = try #require(list.split(separator: "\n").first { $0.contains(" \(name) ") })
        #expect(line.contains("tried 1x"), "\(line)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sandbox.stateDirectory + "/drills.json"))) as? [String: Any])
        let record = try #require((results["drills"] as? [String: Any])?[name] as? [String: Any])
        #expect(record["done"] as? Bool == false && record["best"] as? Int == 0 && record["attempts"] as? Int == 1)
    }

    @Test func anUnknownDrillIsAUsageErrorNamingTheDrills() throws {
        let (code, output) = try Sandbox().run(["drill", "no-such-drill"])
        #expect(code == 65, "\(output)")
        #expect(output.contains("no-such-drill: is not a drill; `phase0 drill` lists them: agent-oom-killed"), "\(output)")
    }
}
