import Testing
import Phase0TestSupport
@testable import Phase0Parsers
@testable import Phase0Core
@testable import Phase0Steps

/// One error model: whatever stops phase0 ends as a RunOutcome, and the outcome alone picks the
/// documented exit code (README: 0, 1, 3, 65, 75, 130; 64 is ArgumentParser's usage error).
@Suite struct RunOutcomeTests {
    @Test func eachOutcomeHasItsDocumentedCode() {
        let codes: [(RunOutcome, Int32)] = [(.complete, 0), (.failed("x"), 1), (.gate("x"), 3), (.badInput("x"), 65),
                                            (.locked("x"), 75), (.stopped("x"), 130), (.interrupted, 130)]
        for (outcome, code) in codes { #expect(outcome.exitCode == code, "\(outcome)") }
    }

    @Test func errorsSayHowTheyEndARun() {
        #expect(RunOutcome(InputFileError(path: "/a.json", problem: "is empty")) == .badInput("/a.json: is empty"))
        #expect(RunOutcome(LockHeld(path: "/s.json", holderPID: "42")).exitCode == 75)
        #expect(RunOutcome(Interrupted(duringCommand: true)) == .interrupted)
        #expect(RunOutcome(RunOutcome.gate("closed")) == .gate("closed"))
        #expect(RunOutcome(ValidationFailure("webuiPort: no")) == .failed("webuiPort: no"))
        #expect(RunOutcome(StateWriteError(path: "/s.json", reason: "No space left on device")).exitCode == 1)
    }

    @Test func aSubcommandStoppedByABadFileSaysSoAndLeavesIt() {
        let output = CapturedOutput()
        let outcome = RunOutcome.reporting(InputFileError(path: "/a.json", problem: "is empty"), to: output)
        #expect(outcome.exitCode == 65)
        #expect(output.text == "phase0: /a.json: is empty\nThe file was left as it is.\n")
        let held = CapturedOutput()
        #expect(RunOutcome.reporting(LockHeld(path: "/s.json", holderPID: "42"), to: held).exitCode == 75)
        #expect(held.text.hasPrefix("phase0: another phase0 (PID 42) is using /s.json"))
    }
}
