@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// Runs Steps 2 and 3 through the real Engine against the simulated Spark (tests of Steps 2-3,
/// render). Namespaced so helpers of other test files cannot collide with these.
enum StepsAHarness {
    /// The guide's Spark once Step 0 is done (a 128G swapfile on), so the swap gate lets Steps 2-3 run.
    static func spark(_ change: (inout SimulatedSpark) -> Void = { _ in }) -> SimulatedSpark {
        var machine = SimulatedSpark()
        completeStep0(&machine)
        machine.webuiAccounts = 1   // the operator registered (Steps 2-3 tests are not about that)
        change(&machine)
        return machine
    }

    static func scenario(_ json: String) throws -> SimulatedSpark {
        var machine = try JSONDecoder().decode(Scenario.self, from: Data(json.utf8)).apply()
        completeStep0(&machine)
        if machine.webuiAccounts == nil { machine.webuiAccounts = 1 }
        return machine
    }

    struct Outcome {
        var outcome: RunOutcome
        var text: String
        var progress: Phase0Core.Progress
        var prompts: [String]
    }

    /// One wizard run of `steps`. With `input` nil it runs with -y; otherwise the lines are the
    /// operator's answers, and end of input stops the run (it is never a yes).
    @discardableResult
    static func run(_ steps: [Step], on host: PracticeHost, answers: [String: String] = [:], input: [String]? = nil,
                    progress: Phase0Core.Progress? = nil) -> Outcome {
        let output = CapturedOutput()
        let reader = ScriptedLineReader(input ?? [])
        let start = progress ?? Phase0Core.Progress(mode: .practice, stepCount: 6, machine: host.machine, now: "2026-01-01T00:00:00Z")
        let engine = Engine(steps: steps, host: host, output: output, reader: reader, progress: start, store: nil,
                            transcript: nil, answersFile: answers, options: RunOptions(assumeYes: input == nil),
                            clock: { "2026-01-01T00:00:00Z" })
        let outcome = engine.run()
        return Outcome(outcome: outcome, text: output.text, progress: engine.progress, prompts: reader.prompts)
    }

    /// A StepContext over `host` with `answers`, to call checks directly.
    static func context(_ host: PracticeHost, answers: [String: String]) -> StepContext {
        var progress = Phase0Core.Progress(mode: .practice, stepCount: 6, machine: host.machine, now: "2026-01-01T00:00:00Z")
        progress.answers = answers
        return StepContext(host: host, output: CapturedOutput(), progress: progress, options: RunOptions(assumeYes: true))
    }

    static var defaults: [String: String] {
        AgentUnit.defaults.merging(WebUIContainer.defaults) { a, _ in a }
    }

    static func isFailure(_ outcome: RunOutcome, containing text: String) -> Bool {
        if case .failed(let reason) = outcome { return reason.contains(text) }
        return false
    }

    /// The full path of a tool the test needs; a missing tool fails the test with what to install.
    static func tool(_ name: String, package: String) throws -> String {
        for directory in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        Issue.record("\(name) is not installed: install \(package) to run this test (CI installs it in .ci/run)")
        throw ToolMissing(name: name)
    }

    struct ToolMissing: Error { var name: String }

    /// Runs a real program (a probe in a temp dir, never a change to this machine).
    static func runTool(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("phase0-steps-a-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
