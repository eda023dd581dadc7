import Foundation
import Phase0TestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A private home and state directory per test; nothing outside it is touched.
final class Sandbox {
    private let scratch: TempDir
    let binary = phase0Binary

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw PTYError(description: "no phase0 binary at \(binary): run `swift build` first, or set PHASE0_BINARY")
        }
        scratch = try TempDir("e2e")
        try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
    }

    var dir: String { scratch.path }

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

    /// Runs phase0 with stdin from `input` (a file, not a terminal) and returns (status, output).
    func run(_ arguments: [String], input: String = "") throws -> (Int32, String) {
        let finished = try Program.run([binary] + arguments, environment: environment, input: input)
        return (finished.status, finished.output)
    }

    /// `phase0 status --practice --json`, parsed.
    func status() throws -> [String: Any] {
        let (code, text) = try run(["status", "--practice", "--json"])
        guard code == 0 else { throw PTYError(description: "status exited \(code): \(text)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func steps() throws -> [[String: Any]] { try #require(try status()["steps"] as? [[String: Any]]) }

    func step(_ number: Int) throws -> [String: Any] { try #require(try steps().first { $0["number"] as? Int == number }) }

    func step0() throws -> [String: Any] { try step(0) }

    /// Each step's status, in order ("done", "pending"...).
    func stepStatuses() throws -> [String] { try steps().map { $0["status"] as? String ?? "?" } }

    /// (id, status) of a step's recorded actions, in order.
    func actions(of number: Int) throws -> [(String, String)] {
        let actions = try #require(try step(number)["actions"] as? [[String: Any]])
        return actions.map { ($0["id"] as? String ?? "?", $0["status"] as? String ?? "?") }
    }

    /// The simulated Spark as `status --json` shows it.
    func machine() throws -> [String: Any] { try #require(try status()["machine"] as? [String: Any]) }

    func history() throws -> [String] { try #require(try machine()["history"] as? [String]) }

    /// A file for a test to plant (an input file, a hostile state file), its directory made.
    func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try Phase0TestKit.write(text, to: path, mode: mode)
    }

    /// A scenario where Open WebUI already has its first account: with it a `-y` practice run
    /// goes past Step 3 (nobody registers an account during an unattended run) to Step 5's
    /// observations, where end of input stops it (exit 130).
    func accountScenario() throws -> [String] {
        let path = dir + "/account-scenario.json"
        if !FileManager.default.fileExists(atPath: path) { try write(#"{"webuiAccounts": 1}"#, to: path) }
        return ["--scenario", path]
    }
}

/// How often `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
