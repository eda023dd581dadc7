@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Phase0TestKit
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// Issue 10: redaction before truncation, the secret forms the redactor missed, secrets of a
/// practice scenario, root taken from a resume file, and the small parsers behind them.
@Suite struct HardeningSecretsTests {
    /// Forms the redactor did not know: quoted values with spaces, a bare bearer token, a
    /// password glued to `-p`, `pwd=`, an `auth:` header. Each masked, stable, and taken for a
    /// secret when typed as an answer.
    static let forms: [(text: String, secret: String)] = [
        (#"password="a b c PLANT""#, "b c PLANT"),
        ("DB_PASSWORD='correct horse PLANT'", "horse PLANT"),
        ("mysql --password \"two words PLANT\" db", "words PLANT"),
        ("curl -H 'X-Token: Bearer PLANT.abc-123' https://x", "PLANT.abc-123"),
        ("token was Bearer PLANT0abcd1234 then", "PLANT0abcd1234"),
        ("mysql -uroot -pSECRETPLANT db", "SECRETPLANT"),
        ("pwd=hunter2PLANT", "hunter2PLANT"),
        ("auth: PLANTkey1", "PLANTkey1"),
        ("X-Auth: Basic dXNlcjpPLANT", "dXNlcjpPLANT"),
        ("http_auth=PLANTvalue", "PLANTvalue"),
    ]

    /// Ordinary text these rules must leave alone.
    static let ordinary = [
        "cp -p --no-clobber /etc/fstab /etc/fstab.phase0-backup.1", "ssh -p2222 host", "tar -pxzf a.tgz",
        "docker run -p127.0.0.1:3000:8080 x", "PWD=/home/vybnz69", "author: Jane", "the bearer of news",
        "systemctl show -p LoadState --value docker.service", "oauth_url=https://x",
    ]

    @Test func theMissedSecretFormsAreMaskedAndOrdinaryTextIsNot() {
        for (text, secret) in Self.forms {
            let masked = Redactor.redact(text)
            #expect(!masked.contains(secret), "\(text) -> \(masked)")
            #expect(Redactor.redact(masked) == masked, "not stable: \(masked)")
            #expect(Redactor.secretKind(in: text) != nil, "\(text) is not taken for a secret")
        }
        for text in Self.ordinary {
            #expect(Redactor.redact(text) == text, "\(text) -> \(Redactor.redact(text))")
        }
    }

    /// A token whose keyword falls just before the transcript's 4096-byte cut.
    @Test func theTranscriptRedactsBeforeItTruncates() throws {
        let scratch = try TempDir("cut")
        defer { scratch.remove() }
        let directory = scratch.path
        let secret = "PLANTEDSECRET42"
        for filler in 4070...4100 {
            let path = directory + "/t\(filler).log"
            let transcript = try #require(Transcript(path: path))
            let output = "password=" + secret + "\n" + String(repeating: "x", count: filler)
            transcript.finished(CommandResult(exitStatus: 0, output: output), at: "T")
            let log = String(decoding: try #require(Rel.read(path)), as: UTF8.self)
            #expect(!log.contains("SECRET42"), "cut at \(filler): \(log.prefix(120))")
        }
    }

    /// A token straddling the runner's 64 KB cap (a real process printing it): the cut falls
    /// inside `password=PLANTED-SECRET-77` for some of these lengths of what follows it.
    @Test func theRunnerRedactsBeforeItDropsTheStartOfALongOutput() throws {
        let limit = 64 * 1024
        for (before, after) in [(100, limit - 13), (100, limit - 16), (3 * limit, limit - 16), (5 * limit + 3, 2 * limit + 50)] {
            let script = "head -c \(before) /dev/zero | tr '\\0' x; printf '\\npassword=PLANTED-SECRET-77\\n'; head -c \(after) /dev/zero | tr '\\0' y"
            let result = try ProcessRunner.run(argv: ["/bin/sh", "-c", script], input: nil, timeout: 30, onOutput: nil, outputLimit: limit)
            #expect(result.output.utf8.count < limit + 100, "\(result.output.utf8.count) bytes kept")
            #expect(!result.output.contains("SECRET-77"), "before \(before), after \(after): leaked at the cut")
            #expect(result.output.hasPrefix("[… earlier output truncated …]"))
        }
        // A private key whose BEGIN line would fall off the front while its body still comes.
        let script = "echo '-----BEGIN OPENSSH PRIVATE KEY-----'; yes QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo= | head -n 4000; echo '-----END OPENSSH PRIVATE KEY-----'"
        let printed = try ProcessRunner.run(argv: ["/bin/sh", "-c", script], input: nil, timeout: 30, onOutput: nil, outputLimit: limit)
        #expect(!printed.output.contains("QUJDREVGR0hJSktMTU5P"), "a private key's body survived the cut")
    }

    /// A scenario's values become the simulated machine, saved in the practice resume file:
    /// a secret in them (a rehearsed config file with a password line) never reaches it.
    @Test func aSecretInAScenarioNeverReachesThePracticeResumeFile() throws {
        let scratch = try TempDir("scenario-secret")
        defer { scratch.remove() }
        let directory = scratch.path
        let scenario = directory + "/scenario.json"
        try write(#"{"files": {"/etc/app.conf": "password=\"PLANTED one two\"\napi_key: PLANTEDKEY9\n"}, "description": "token: PLANTEDDESC"}"#, to: scenario)
        let run = try Program.run(Rel.practiceArgs(answersPath: try answersFile(in: directory), extra: ["--scenario", scenario]),
                              environment: Rel.environment(home: directory + "/home"))
        let saved = String(decoding: try #require(Rel.read(Rel.statePath(home: directory + "/home"))), as: UTF8.self)
        #expect(saved.contains("app.conf"), "\(run.output.suffix(300))")
        #expect(!saved.contains("PLANTED"), "a scenario secret reached the resume file")
        #expect(!run.output.contains("PLANTEDDESC"))
    }

    func answersFile(in directory: String) throws -> String {
        let path = directory + "/answers.json"
        try write(try Rel.answersJSON(Rel.answers), to: path)
        return path
    }

    /// The resume file saying root is not the operator saying so: on resume, root is asked
    /// again in person; end of input (or -y) never takes it.
    @Test func rootFromTheResumeFileIsConfirmedAgainInPerson() throws {
        let host = ReliabilityPrivilegeTests.FakeLiveHost(invoker: "root", users: ["root", "alice"])
        func engine(_ reader: ScriptedLineReader) -> Engine {
            var progress = Progress(mode: .live, stepCount: 1, machine: nil, now: "T")
            progress.answers["user"] = "root"
            let step = Step(number: 0, title: "Nothing", why: "test", manual: "test", actions: [], verify: { _ in [Check(true, "ok")] })
            return Engine(steps: [step], host: host, output: CapturedOutput(), reader: reader, progress: progress,
                          store: nil, transcript: nil, options: RunOptions(assumeYes: true), clock: { "T" },
                          prelude: [OperatorAccount.question(sudoUser: nil)])
        }
        let ended = ScriptedLineReader([])
        let unconfirmed = engine(ended)
        guard case .stopped = unconfirmed.run() else { Issue.record("root from the resume file was taken unasked"); return }
        #expect(ended.prompts.contains { $0.contains("Run the agent as root anyway? [y/N]") })
        let declined = engine(ScriptedLineReader(["n", "alice"]))
        #expect(declined.run() == .complete)
        #expect(declined.progress.answers["user"] == "alice")
        let confirmed = engine(ScriptedLineReader(["yes"]))
        #expect(confirmed.run() == .complete)
        #expect(confirmed.progress.answers["user"] == "root")
    }

    // MARK: The small parsers behind the checks

    @Test func duplicateKeysAreFoundAtAnyDepthAndDecoded() {
        func first(_ json: String) -> String? { JSONDuplicateKeys.first(in: Array(json.utf8)).map { "\($0.path)|\($0.key)" } }
        #expect(first(#"{"a": "1", "b": "2"}"#) == nil)
        #expect(first(#"{"a": "1", "a": "2"}"#) == "|a")
        #expect(first(#"{"swapSize": "1", "swap\u0053ize": "2"}"#) == "|swapSize")
        #expect(first(#"{"x": {"k": 1, "k": [1, {"z": 0}]}}"#) == "x|k")
        #expect(first(#"{"x": [{"k": 1}, {"k": 2, "k": 3}]}"#) == "x[1]|k")
        #expect(first(#"{"a": "x\"y", "b": "\\", "c": null, "d": true, "e": -1.5e3}"#) == nil)
        #expect(first(#"{"a": "1", "#) == nil, "not JSON: left to the decoder to describe")
    }

    @Test func terminalTextEscapesControlsAndKeepsTheRest() {
        #expect(TerminalText.escaped("plain\ttext\n") == "plain\ttext\n")
        #expect(TerminalText.escaped("\u{1b}[2J\r\u{7f}\u{9b}\u{202e}é") == "\\u001b[2J\\u000d\\u007f\\u009b\\u202eé")
        // The escape is JSON's: a JSON string escaped this way still parses to the same text.
        let json = "{\"k\": \"a\u{85}b\"}"
        let parsed = try? JSONSerialization.jsonObject(with: Data(TerminalText.escaped(json).utf8)) as? [String: String]
        #expect(parsed?["k"] == "a\u{85}b")
    }
}
