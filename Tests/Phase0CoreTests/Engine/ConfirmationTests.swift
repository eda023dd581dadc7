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
        #expect(h.reader.prompts.contains("     Run this? [y]es / [n]o / [e]xplain / [q]uit: "))
    }

    @Test func noStopsAndKeepsProgress() throws {
        let (h, outcome) = try run(["y", "no"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(outcome.exitCode == 130)
        #expect(reason.contains("declined \"Make the swapfile readable by root only\""))
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
        #expect(h.text.contains("The guide's manual way for this step:"))
        #expect(h.text.contains("Never run `sudo swapoff /swap.img` while the model is loaded."))
        #expect(confirmations(h) == 4)
        #expect(h.history.isEmpty)
    }

    @Test func skipIsRefusedOnANonSkippableAction() throws {
        let (h, outcome) = try run(["s", "skip"])
        guard case .stopped(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(h.text.components(separatedBy: "This action cannot be skipped").count == 3)
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
        let (h, outcome) = try run(["maybe", "Y", "yes ", "y", "y", "y", "y", "y"])
        #expect(outcome == .complete)
        #expect(h.text.contains("Please answer y, n, e or q."))
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
