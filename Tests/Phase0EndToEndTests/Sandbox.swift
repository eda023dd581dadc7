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

    func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode_t(mode))
    }
}

/// How often `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
