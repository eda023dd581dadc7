import Testing
import Foundation

/// The built-in practice scenarios live in Steps/Teaching/Scenarios (embedded in the binary):
/// teaching examples of the guide's failure cases. Tests pass them by file path, as a teacher's
/// own scenario file would be; `--scenario NAME` and `--scenario list` are tested below.
let scenarioDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Steps/Teaching/Scenarios").standardized.path

func scenario(_ name: String) throws -> String {
    let path = scenarioDirectory + "/\(name).json"
    try #require(FileManager.default.fileExists(atPath: path), "no scenario \(path)")
    return path
}

/// Every built-in scenario, by name.
func scenarioNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: scenarioDirectory).filter { $0.hasSuffix(".json") }
        .map { String($0.dropLast(5)) }.sorted()
}

/// A new practice run on the fixture `name` in a pseudo-terminal; the wizard first says what the
/// scenario rehearses (its description), then the practice banner.
/// `review`: Enter at the review screen, taking every value shown.
func startPractice(_ sandbox: Sandbox, scenario name: String, review: Bool = true) throws -> Operator {
    let path = try scenario(name)
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
    let description = try #require(json?["description"] as? String)
    let op = Operator(terminal: try sandbox.terminal(["--practice", "--scenario", path]))
    try op.see("Practice scenario \(path):")
    try op.see("  " + description.split(separator: " ").prefix(6).joined(separator: " "))
    try op.see("PRACTICE MODE on spark-2b7c (simulated)")
    if review { try op.review() }
    return op
}

/// `fullRunHistory` with `extra` inserted after its first `after` lines.
func fullRunHistory(inserting extra: String, after: Int) -> [String] {
    var lines = fullRunHistory
    lines.insert(extra, at: after)
    return lines
}

/// The scenarios are teaching examples: each loads, says what it rehearses, and is rehearsed by a test.
@Suite struct ScenarioFixtureTests {
    static let rehearsed = ["btrfs-root", "disk-too-small", "docker-missing", "https-not-enabled", "old-open-webui-container",
                            "ollama-all-interfaces", "ollama-loopback-only", "tmux-session-by-hand"]

    /// A new fixture goes in this list together with the test that runs it.
    @Test func everyFixtureIsListed() throws {
        #expect(try scenarioNames() == ScenarioFixtureTests.rehearsed)
    }

    /// Each loads (preflight on its simulated Spark reports, rather than refusing the file with
    /// 65) and has a description of a sentence or more.
    @Test(arguments: rehearsed)
    func aFixtureLoadsAndSaysWhatItTeaches(name: String) throws {
        let sandbox = try Sandbox()
        let path = try scenario(name)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect((json["description"] as? String)?.count ?? 0 > 80, "\(name) needs a description")
        let (code, output) = try sandbox.run(["preflight", "--practice", "--scenario", path])
        // Step 0 has not run on any of them, so swap >= 64G fails: exit 1.
        #expect(code == 1, "\(output)")
        #expect(output.hasPrefix("Preflight on spark-2b7c (simulated) (read-only):"), "\(output)")
        #expect(output.contains("[fail    ] swap >= 64G: 16G now, 0G after a reboot; Step 0 expands it"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath), "preflight is read-only")
    }
}

/// The scenarios travel inside the binary: listed with what each teaches, and taken by name.
@Suite struct BuiltInScenarioTests {
    @Test func scenarioListNamesEveryBuiltInScenarioWithWhatItTeaches() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "--scenario", "list"])
        #expect(code == 0, "\(output)")
        #expect(output.hasPrefix("Built-in practice scenarios"), "\(output)")
        for name in try scenarioNames() {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: try scenario(name)))) as? [String: Any])
            let description = try #require(json["description"] as? String)
            #expect(output.contains("\n  \(name)\n"), "\(name) missing from the list")
            #expect(output.contains(description.split(separator: " ").prefix(5).joined(separator: " ")), "\(name)'s description missing")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.statePath), "listing saves nothing")
    }

    /// A name, not a path: the embedded copy is used (the sandbox has no scenario files).
    @Test func aBuiltInScenarioIsTakenByName() throws {
        let sandbox = try Sandbox()
        let (code, output) = try sandbox.run(["--practice", "-y", "--scenario", "disk-too-small"])
        #expect(code == 3, "\(output)")
        #expect(output.contains("Practice scenario disk-too-small:"), "\(output)")
        let (unknown, message) = try Sandbox().run(["--practice", "-y", "--scenario", "no-such-scenario"])
        #expect(unknown == 65, "\(message)")
        #expect(message.contains("no-such-scenario"), "\(message)")
    }
}
