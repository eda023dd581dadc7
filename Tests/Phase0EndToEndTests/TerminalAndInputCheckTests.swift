import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Issue 10, terminal safety and input checked before anything runs, with the built binary.
@Suite struct TerminalAndInputCheckTests {
    /// Clears the screen, homes the cursor, prints a fake success, then a C1 CSI and a
    /// right-to-left override: what a hostile file or paste would use to fake the screen.
    static let hostile = "\u{1b}[2J\u{1b}[HPhase 0 complete\u{9b}31m\u{202e}"

    static func expectClean(_ output: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let raw = rawControlCharacters(in: output)
        #expect(raw.isEmpty, "\(label): raw \(raw) reached the terminal", sourceLocation: sourceLocation)
        #expect(output.contains("\\u001b[2J"), "\(label): the escape is not shown escaped: \(output.suffix(400))", sourceLocation: sourceLocation)
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// A scenario (banner, notice, a file shown as a diff), the resume file replayed by
    /// `status`, a typed answer echoed and refused, an answers file's key: all shown escaped.
    @Test func noByteFromAFileOrATypedAnswerReachesTheTerminalRaw() throws {
        let sandbox = try Sandbox()
        let scenario = sandbox.dir + "/scenario.json"
        let fstab = "UUID=5c8f3f0e / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n# \(Self.hostile) note\n"
        try sandbox.write(try Self.json(["description": Self.hostile, "hostname": "spark\(Self.hostile)",
                                         "files": ["/etc/fstab": fstab]]), to: scenario)
        let practice = try sandbox.spawn(["--practice", "-y", "--scenario", scenario])
        Self.expectClean(practice.output, "scenario")
        #expect(practice.output.contains("Step 0"), "\(practice.output.suffix(400))")

        // The resume file edited to hold the hostile text in a note: `status` replays it.
        var progress = try #require(try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: sandbox.statePath))) as? [String: Any])
        var steps = try #require(progress["steps"] as? [[String: Any]])
        steps[0]["note"] = Self.hostile
        progress["steps"] = steps
        try sandbox.write(try Self.json(progress), to: sandbox.statePath)
        Self.expectClean(try sandbox.spawn(["status", "--practice"]).output, "status")

        // Typed through a pipe: echoed, refused, asked again.
        let typed = try Sandbox()
        let piped = try typed.spawn(["--practice"], input: "/swap\(Self.hostile)\n12\(Self.hostile)\n")
        Self.expectClean(piped.output, "typed answers")
        #expect(piped.output.contains("Not accepted"))

        // An answers file whose key is not one phase0 knows: named in the message, escaped.
        let answers = typed.dir + "/answers.json"
        try typed.write(try Self.json([Self.hostile: "x"]), to: answers)
        let refused = try typed.spawn(["--practice", "-y", "--answers", answers])
        #expect(refused.status == 65)
        Self.expectClean(refused.output, "answers key")
    }

    /// `status --json` is valid JSON and names the state file exactly, whatever its path holds
    /// (quotes, backslashes, a newline, an escape, a C1 control), started or not.
    @Test func statusJSONIsValidWhateverTheStatePathHolds() throws {
        let sandbox = try Sandbox()
        let directory = sandbox.dir + "/odd"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o700)
        for name in ["quo\"te.json", "back\\slash.json", "new\nline.json", "esc\u{1b}[2J.json", "c1\u{85}\u{9b}.json"] {
            let path = directory + "/" + name
            for started in [false, true] {
                if started { _ = try sandbox.spawn(["--practice", "-y", "--state", path]) }
                let status = try sandbox.spawn(["status", "--practice", "--json", "--state", path])
                #expect(status.status == 0, "\(name.debugDescription): \(status.output)")
                #expect(rawControlCharacters(in: status.output).isEmpty)
                let parsed = try? JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
                #expect(parsed?["stateFile"] as? String == path, "\(name.debugDescription), started \(started): \(status.output.prefix(300))")
            }
        }
    }

    /// Every value of the answers file against its question's rule, duplicate keys, control
    /// characters: refused (65) before Step 0 starts, with nothing created.
    @Test(arguments: [
        (#"{"webuiPort": "99999"}"#, "\"webuiPort\": "),
        (#"{"webuiPort": "11434"}"#, "port 11434 is Ollama's"),
        (#"{"swapSize": "128G", "swapSize": "64G"}"#, "gives the key \"swapSize\" twice"),
        (#"{"swapSize": "128G", "swap\u0053ize": "64G"}"#, "gives the key \"swapSize\" twice"),
        (#"{"swapSize": "128G\u001b[2J"}"#, "contains a control character"),
        (#"{"tmuxSession": "vybn\ttab"}"#, "contains a control character"),
        (#"{"installMosh": "maybe"}"#, "\"installMosh\": must be yes or no"),
        (#"{"unplugPhoneChat": "sure"}"#, "\"unplugPhoneChat\": must be yes or no"),
        (#"{"replaceContainer": "later"}"#, "\"replaceContainer\": must be yes or no"),
        (#"{"user": "nobody-here"}"#, "there is no user \"nobody-here\""),
    ])
    func theWholeAnswersFileIsCheckedBeforeStep0(json: String, problem: String) throws {
        let sandbox = try Sandbox()
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(json, to: answers)
        let run = try sandbox.spawn(["--practice", "-y", "--answers", answers])
        #expect(run.status == 65, "\(run.output.suffix(500))")
        #expect(run.output.contains("phase0: \(answers): "), "\(run.output.suffix(300))")
        #expect(run.output.contains(problem), "\(run.output.suffix(300))")
        #expect(!run.output.contains("== Step 0"), "Step 0 started before the answers file was checked")
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory))
    }

    /// A secret given where an answer is expected is refused without being echoed back, in
    /// the forms the redactor did not know (`pwd=`, `-pSECRET`, `auth:`, a bare bearer token,
    /// a quoted password).
    @Test(arguments: ["pwd=hunter2PLANT", "/x -pSECRETPLANT", "auth: PLANTkey1", "Bearer PLANT.abc-123",
                      #"/x password="a PLANT c""#])
    func aSecretAnswerIsRefusedWithoutAnEcho(value: String) throws {
        let sandbox = try Sandbox()
        let answers = sandbox.dir + "/answers.json"
        try sandbox.write(try Self.json(["swapfile": value]), to: answers)
        let fromFile = try sandbox.spawn(["--practice", "-y", "--answers", answers])
        #expect(fromFile.status == 65 && fromFile.output.contains("looks like a secret"), "\(fromFile.output.suffix(300))")
        #expect(!fromFile.output.contains("PLANT"), "\(fromFile.output.suffix(300))")
        let typed = try sandbox.spawn(["--practice"], input: value + "\n")
        #expect(typed.output.contains("Not accepted: this looks like a secret"), "\(typed.output.suffix(300))")
        #expect(!typed.output.contains("PLANT"), "\(typed.output.suffix(300))")
    }

    /// The resume file's answers are held to the rules of typed ones: an answer no question
    /// asks, or one with a control character, means an edited file (65, left as it is).
    @Test(arguments: [("evil", "x", "no question of this phase0 asks"), ("swapfile", "/swap\u{1b}[2J", "contains a control character")])
    func aResumeFileAnswerNoQuestionWouldTakeIsRefused(key: String, value: String, problem: String) throws {
        let sandbox = try Sandbox()
        _ = try sandbox.spawn(["--practice", "-y"])
        var progress = try #require(try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: sandbox.statePath))) as? [String: Any])
        var answers = try #require(progress["answers"] as? [String: String])
        answers[key] = value
        progress["answers"] = answers
        try sandbox.write(try Self.json(progress), to: sandbox.statePath)
        let before = FileManager.default.contents(atPath: sandbox.statePath)
        let run = try sandbox.spawn(["--practice", "-y"])
        #expect(run.status == 65, "\(run.output.suffix(300))")
        #expect(run.output.contains(problem), "\(run.output.suffix(300))")
        #expect(FileManager.default.contents(atPath: sandbox.statePath) == before)
    }
}
