@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

/// `phase0 preflight`: the guide's prerequisites, read-only, on the simulated Spark.
@Suite struct PreflightPracticeTests {
    @Test func theGuidesSparkLacksOnlySwap() {
        let results = PreflightChecks.run(host: SparkWithHooks(SimulatedSpark()), answers: [:])
        #expect(results.filter { $0.status == .fail }.map(\.name) == ["swap >= 64G"], "\(results)")
        #expect(results.first { $0.name == "mosh installed" }?.status == .optional)
        #expect(results.first { $0.name == "systemd is PID 1" }?.status == .pass)
        #expect(results.first { $0.name == "model vybn:latest present" }?.status == .pass)
        #expect(results.first { $0.name == "tailscale HTTPS enabled" }?.status == .pass)
    }

    @Test func afterStep0AndMoshEverythingPasses() {
        var machine = sparkAfterStep0()
        machine.programs += ["mosh", "mosh-server", "mosh-client"]
        let results = PreflightChecks.run(host: SparkWithHooks(machine), answers: [:])
        #expect(results.allSatisfy { $0.status == .pass || $0.status == .info }, "\(results)")
    }

    @Test func missingPrerequisitesFail() {
        var machine = SimulatedSpark()
        machine.files["/home/vybnz69/Vybn/spark/tui.py"] = nil
        machine.services["ollama.service"]?.active = false
        machine.ollama.models = []
        let failed = Set(PreflightChecks.run(host: SparkWithHooks(machine), answers: [:]).filter { $0.status == .fail }.map(\.name))
        #expect(failed.isSuperset(of: ["/home/vybnz69/Vybn/spark/tui.py", "ollama.service active",
                                       "Ollama API at http://127.0.0.1:11434", "model vybn:latest present"]))
    }

    @Test func aMissingVenvPythonFails() {
        var machine = SimulatedSpark()
        machine.files["/home/vybnz69/.venv/spark/bin/python"]?.mode = 0o644
        let result = PreflightChecks.run(host: SparkWithHooks(machine), answers: [:]).first { $0.name.hasPrefix("venv python") }
        #expect(result?.status == .fail)
        // Why it does not run is said too (the program's own error).
        #expect(result?.detail.hasPrefix("exists but does not run") == true, "\(result?.detail ?? "")")
        #expect(result?.detail.contains("Permission denied") == true, "\(result?.detail ?? "")")
    }
}
