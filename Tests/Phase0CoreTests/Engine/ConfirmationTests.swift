@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

@Suite struct ConfirmationTests {
    /// Enter at each question takes the guide's default.
    static let defaults = ["", "", ""]

    func run(_ confirmations: [String], assumeYes: Bool = false) throws -> (Harness, RunOutcome) {
        let h = try Harness(lines: Self.defaults + confirmations, options: RunOptions(assumeYes: assumeYes))
        return (h, h.engine.run())
    }

    func confirmations(_ h: Harness) -> Int { h.reader.prompts.filter { $0.contains("Run this?") }.count }

    @Test func yesToEachCommandCompletes() throws {
        let (h, outcome) = try run(Array(repeating: "y", count: 7))
        #expect(outcome == .complete)
        #expect(h.history == step0Commands)
        #expect(confirmations(h) == 7)
        // The prompt of a non-skippable action offers no skip.
        #expect(h.reader.prompts.contains("     Run this? [y]es / [n]o / [e]xplain / [?] help / [q]uit: "))
    }

    @Test func noStopsAndKeepsProgress() throws {
        let (h, outcome) = try run(["y", "no"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(outcome.exitCode == 130)
        // No at an action the step cannot do without: not run, and the run stops saying why.
        #expect(reason.contains("chose not to run \"Make the swapfile readable by root only\""))
        #expect(reason.contains("swapon refuses world-readable swap"))
        #expect(h.history == ["sudo fallocate -l 128G /swapfile"])
        #expect(h.action("permissions") == nil)
        #expect(try h.saved().step(0)?.action("allocate")?.status == .done)
    }

    @Test func quitStops() throws {
        let (h, outcome) = try run(["quit"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("quit before"))
        #expect(h.history.isEmpty)
    }

    @Test func explainPrintsTheWhyAndAsksAgain() throws {
        let (h, outcome) = try run(["e", "?", "explain", "n"])
        guard case .stopped = outcome else { Issue.record("\(outcome)"); return }
        #expect(h.text.contains("Why: fallocate reserves the space instantly"))
        // The exact command with the operator's values, then the guide's text: once per step.
        #expect(h.text.contains("What phase0 will run here, with your values"))
        #expect(h.text.contains("       sudo fallocate -l 128G /swapfile\n"))
        #expect(h.text.components(separatedBy: "The guide's manual way for the whole step").count == 2)
        #expect(h.text.contains("(The guide's manual way for this step is shown above.)"))
        #expect(h.text.contains("Never run `sudo swapoff /swap.img` while the model is loaded."))
        // ? is help, not explain: it says what each key does here.
        #expect(h.text.contains("e  explain: why, and the exact commands"))
        #expect(confirmations(h) == 4)
        #expect(h.history.isEmpty)
    }

    @Test func skipIsRefusedOnANonSkippableAction() throws {
        let (h, outcome) = try run(["s", "skip"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        // Skip is not offered here, so it means nothing: asked again, never taken.
        #expect(!h.reader.prompts.contains { $0.contains("[s]kip") })
        #expect(h.text.components(separatedBy: "Please answer y, n, e, ? or q.").count == 3)
        #expect(reason.contains("end of input"))
        #expect(h.action("allocate")?.status != .skipped)
        #expect(h.history.isEmpty)
    }

    @Test func endOfInputAtAConfirmationIsNeverAYes() throws {
        let (h, outcome) = try run([])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("end of input is never a yes"))
        #expect(h.history.isEmpty)
        #expect(h.text.contains("Progress is saved"))
    }

    @Test func endOfInputAtAQuestionStops() throws {
        let h = try Harness(lines: [""], options: RunOptions())
        guard case .stopped(let reason) = h.engine.run() else { Issue.record("\(h.text)"); return }
        #expect(reason.contains("swapSize"))
        #expect(try h.saved().answers == ["swapfile": "/swapfile"])
    }

    @Test func anythingElseIsAskedAgain() throws {
        let (h, outcome) = try run(["maybe", "zoe", "Y", "yes ", "y", "y", "y", "y", "y"])
        #expect(outcome == .complete)
        // Never silently "no": each unknown answer is asked again.
        #expect(h.text.components(separatedBy: "Please answer y, n, e, ? or q.").count == 3)
    }

    @Test func assumeYesProceedsWithoutAsking() throws {
        let (h, outcome) = try run([], assumeYes: true)
        #expect(outcome == .complete)
        #expect(confirmations(h) == 0)
        #expect(h.text.components(separatedBy: "Run this? yes (--assume-yes)").count == 8)
    }

    @Test func badAnswersAreExplainedAndAskedAgain() throws {
        let h = try Harness(lines: ["swapfile", "/swap file", "?", "/swapfile", "12X", "128G", "101", "10"] + Array(repeating: "y", count: 7),
                            options: RunOptions())
        #expect(h.engine.run() == .complete)
        #expect(h.text.contains("Not accepted: the swapfile path must be an absolute path"))
        #expect(h.text.contains("Not accepted: the swapfile path must not contain spaces"))
        #expect(h.text.contains("Where the new swapfile goes"))
        #expect(h.text.contains("Not accepted: \"12X\" has an unknown unit"))
        #expect(h.text.contains("Not accepted: swappiness must be a whole number from 0 to 100"))
    }
}
