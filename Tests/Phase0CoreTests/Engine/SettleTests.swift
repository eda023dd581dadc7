@testable import Phase0Core
import Phase0TestSupport
import Testing

/// An action whose effect comes a little after its commands (a process ending after SIGTERM):
/// the engine re-checks, pausing between looks, for up to `settleSeconds`, and no longer.
@Suite struct SettleTests {
    /// A machine on which the effect shows after `pausesNeeded` pauses; it runs every command.
    final class SlowHost: Host {
        let pausesNeeded: Int
        var pauses = 0
        var ran: [[String]] = []
        init(pausesNeeded: Int) { self.pausesNeeded = pausesNeeded }
        let name = "slow"
        let isPractice = true
        let invoker = "root"
        func readFile(_ path: String) -> String? { nil }
        func fileInfo(_ path: String) -> FileInfo? { nil }
        func which(_ program: String) -> String? { nil }
        func lookupUser(_ name: String) -> UserInfo? { nil }
        func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
            ran.append(command.argv)
            return CommandResult(exitStatus: 0, output: "")
        }
        func pause(seconds: Double) {
            #expect(seconds == 0.25)
            pauses += 1
        }
        var settled: Bool { !ran.isEmpty && pauses >= pausesNeeded }
    }

    func run(on host: SlowHost, settleSeconds: Int?) -> (RunOutcome, String) {
        let stop = Action(
            id: "stop", title: "Stop it", why: "", kind: .commands { _ in [Command(["kill", "-TERM", "42"])] },
            check: { ctx in Check((ctx.host as! SlowHost).settled, "42 gone", "") }, settleSeconds: settleSeconds)
        let step = Step(number: 0, title: "Stop", why: "", manual: "", actions: [stop], verify: { [try stop.check($0)] })
        let run = EngineRun([step], on: host, stepCount: 1, options: RunOptions(assumeYes: true))
        return (run.run(), run.text)
    }

    @Test func reChecksUntilTheEffectShows() {
        let host = SlowHost(pausesNeeded: 7)
        let (outcome, text) = run(on: host, settleSeconds: 60)
        #expect(outcome == .complete, "\(text)")
        #expect(host.pauses == 7)
        #expect(host.ran == [["kill", "-TERM", "42"]])
        #expect(text.contains("then waits up to 60 s until the check passes"))
        #expect(text.contains("Waiting up to 60 s for: 42 gone"))
    }

    @Test func givesUpAfterItsSecondsAndSaysWhy() {
        let host = SlowHost(pausesNeeded: 1000)
        let (outcome, text) = run(on: host, settleSeconds: 3)
        #expect(host.pauses == 12)
        guard case .failed(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("the commands ran, but the check still fails"))
        #expect(text.contains("Waiting up to 3 s for: 42 gone"))
    }

    @Test func withoutSettleTheCheckIsFinalAtOnce() {
        let host = SlowHost(pausesNeeded: 1)
        let (outcome, _) = run(on: host, settleSeconds: nil)
        #expect(host.pauses == 0)
        guard case .failed = outcome else { Issue.record("\(outcome)"); return }
    }
}
