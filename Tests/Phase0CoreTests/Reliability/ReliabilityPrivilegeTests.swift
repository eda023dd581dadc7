@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// Root and sudo (issue 5): run as root directly, phase0 asks whose agent this is instead of
/// assuming root; as an operator, it tries `sudo -n` first and lets sudo itself ask for the
/// password (never through phase0). All with fakes: no real sudo, no real privileged command.
@Suite struct ReliabilityPrivilegeTests {
    /// A live-looking machine (not practice) that records every command and answers from a script.
    final class FakeLiveHost: Phase0Core.Host {
        let invoker: String
        var users: [UserInfo]
        var answers: [String: CommandResult] = [:]
        var interruptOn: String?
        private(set) var ran: [String] = []
        var effectDone = false
        init(invoker: String, users: [String] = ["root", "vybnz69", "alice"]) {
            self.invoker = invoker
            self.users = users.enumerated().map { UserInfo(name: $1, uid: $1 == "root" ? 0 : 1000 + $0, home: "/home/\($1)") }
        }
        var name: String { "fake live host" }
        var isPractice: Bool { false }
        func readFile(_ path: String) -> String? { nil }
        func fileInfo(_ path: String) -> FileInfo? { nil }
        func which(_ program: String) -> String? { "/usr/bin/\(program)" }
        func lookupUser(_ name: String) -> UserInfo? { users.first { $0.name == name } }
        func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
            let shown = command.effectiveArgv(invoker: invoker).joined(separator: " ")
            ran.append(shown)
            if shown == interruptOn { throw Interrupted(duringCommand: true) }
            if command.effect == .change { effectDone = true }
            return answers[shown] ?? CommandResult(exitStatus: 0, output: "")
        }
    }

    /// One step with one privileged action, and optionally the operator question before it.
    static func engine(_ host: FakeLiveHost, prelude: [Question] = [], reader: LineReader = ScriptedLineReader([]),
                       answers: [String: String] = [:], options: RunOptions = RunOptions(assumeYes: true),
                       sudo: SudoGate = SudoGate()) -> EngineRun {
        let step = Step(number: 0, title: "Change something", why: "test", manual: "test",
                        actions: [Action(id: "change", title: "Change", why: "test",
                                         kind: .commands { _ in [.privileged(["touch", "/etc/phase0-test"])] },
                                         check: { _ in Check(host.effectDone, "changed") })],
                        verify: { _ in [Check(host.effectDone, "changed")] })
        return EngineRun([step], on: host, reader: reader, progress: Progress(mode: .live, stepCount: 1, machine: nil, now: "T"),
                         answersFile: answers, options: options, prelude: prelude, sudo: sudo)
    }

    // MARK: The operator account when run as root

    @Test func theDefaultOperatorIsNeverRoot() {
        let root = FakeLiveHost(invoker: "root")
        #expect(OperatorAccount.defaultUser(host: root, sudoUser: "alice") == "alice")
        #expect(OperatorAccount.defaultUser(host: root, sudoUser: nil) == "vybnz69")
        #expect(OperatorAccount.defaultUser(host: root, sudoUser: "root") == "vybnz69")
        #expect(OperatorAccount.defaultUser(host: FakeLiveHost(invoker: "root", users: ["root", "bob"]), sudoUser: nil) == nil)
        #expect(OperatorAccount.defaultUser(host: FakeLiveHost(invoker: "alice"), sudoUser: nil) == "alice")
        #expect(OperatorAccount.mustAsk(host: root))
        #expect(!OperatorAccount.mustAsk(host: FakeLiveHost(invoker: "alice")))
        #expect(!OperatorAccount.mustAsk(host: PracticeHost(machine: SimulatedSpark())))
    }

    @Test func runAsRootItAsksWhoseAgentThisIsAndTakesSudoUser() {
        let host = FakeLiveHost(invoker: "root")
        let engine = Self.engine(host, prelude: [OperatorAccount.question(sudoUser: "alice")], options: RunOptions(assumeYes: true, sudoUser: "alice"))
        #expect(engine.run() == .complete)
        #expect(engine.progress.answers["user"] == "alice")
    }

    @Test func rootIsTakenOnlyWhenTheOperatorConfirmsIt() {
        let noDefault = { FakeLiveHost(invoker: "root", users: ["root", "alice"]) }
        // Declined: asked again, another account given.
        let declined = ScriptedLineReader(["root", "n", "alice"])
        let first = Self.engine(noDefault(), prelude: [OperatorAccount.question(sudoUser: nil)], reader: declined)
        #expect(first.run() == .complete)
        #expect(first.progress.answers["user"] == "alice")
        #expect(declined.prompts.contains { $0.contains("Run the agent as root anyway? [y/N]") })
        // Confirmed in person.
        let confirmed = Self.engine(noDefault(), prelude: [OperatorAccount.question(sudoUser: nil)], reader: ScriptedLineReader(["root", "yes"]))
        #expect(confirmed.run() == .complete)
        #expect(confirmed.progress.answers["user"] == "root")
        // From an answers file, even with -y: refused, exit 65.
        let fromFile = Self.engine(noDefault(), prelude: [OperatorAccount.question(sudoUser: nil)], answers: ["user": "root"])
        guard case .badInput(let why) = fromFile.run() else { Issue.record("root from a file was not refused"); return }
        #expect(why.contains("confirm it yourself"))
        // End of input at the confirmation is never a yes.
        let ended = Self.engine(noDefault(), prelude: [OperatorAccount.question(sudoUser: nil)], reader: ScriptedLineReader(["root"]))
        guard case .stopped = ended.run() else { Issue.record("end of input confirmed root"); return }
    }

    // MARK: sudo

    @Test func sudoNIsTriedFirstThenSudoItselfAsksOnce() {
        let host = FakeLiveHost(invoker: "alice")
        host.answers["sudo -n true"] = CommandResult(exitStatus: 1, output: "sudo: a password is required\n")
        let engine = Self.engine(host)
        #expect(engine.run() == .complete)
        #expect(host.ran == ["sudo -n true", "sudo -v", "sudo touch /etc/phase0-test"])
    }

    @Test func aCachedSudoIsNotAskedAgain() {
        let host = FakeLiveHost(invoker: "alice")
        #expect(Self.engine(host).run() == .complete)
        #expect(host.ran == ["sudo -n true", "sudo touch /etc/phase0-test"])
    }

    @Test func whenSudoRefusesNothingPrivilegedRuns() throws {
        let host = FakeLiveHost(invoker: "alice")
        host.answers["sudo -n true"] = CommandResult(exitStatus: 1, output: "")
        host.answers["sudo -v"] = CommandResult(exitStatus: 1, output: "Sorry, try again.\nsudo: 3 incorrect password attempts\n")
        let engine = Self.engine(host)
        guard case .failed(let why) = engine.run() else { Issue.record("sudo refused, yet the run went on"); return }
        #expect(why.contains("sudo did not give root") && why.contains("incorrect password"))
        #expect(host.ran == ["sudo -n true", "sudo -v"])
        #expect(engine.progress.step(0)?.action("change") == nil, "no action may be recorded in flight")
    }

    @Test func ctrlCAtTheSudoPromptStopsCleanly() {
        let host = FakeLiveHost(invoker: "alice")
        host.answers["sudo -n true"] = CommandResult(exitStatus: 1, output: "")
        host.interruptOn = "sudo -v"
        let engine = Self.engine(host)
        #expect(engine.run() == .interrupted)
        #expect(!host.effectDone)
        #expect(engine.progress.step(0)?.action("change") == nil)
    }

    @Test func rootPracticeAndDryRunNeverProbeSudo() {
        let root = FakeLiveHost(invoker: "root")
        #expect(Self.engine(root).run() == .complete)
        #expect(!root.ran.contains { $0.hasPrefix("sudo") })
        let dry = FakeLiveHost(invoker: "alice")
        _ = Self.engine(dry, options: RunOptions(assumeYes: true, dryRun: true)).run()
        #expect(!dry.ran.contains { $0.hasPrefix("sudo -n true") || $0.hasPrefix("sudo -v") })
    }

    /// The real process path (ProcessRunner, as on a live machine) with a fake sudo: phase0
    /// gives it no stdin (/dev/null) and no password, so a password can only reach sudo
    /// through the terminal sudo opens itself.
    @Test func sudoGetsNoStdinFromPhase0() throws {
        let scratch = try TempDir("fakesudo")
        defer { scratch.remove() }
        let directory = scratch.path
        let fake = directory + "/sudo"
        try write("""
            #!/bin/sh
            echo "$* stdin=$(readlink /proc/self/fd/0)" >> "\(directory)/log"
            if [ "$1" = "-n" ]; then echo "sudo: a password is required" >&2; exit 1; fi
            if read -r line; then echo "read a line from phase0: $line" >> "\(directory)/log"; exit 9; fi
            exit 0
            """, to: fake, mode: 0o755)
        /// LiveHost's command path, as an operator who is not root.
        final class OperatorLiveHost: Phase0Core.Host {
            let live = LiveHost()
            var name: String { live.name }
            var isPractice: Bool { false }
            var invoker: String { "alice" }
            func readFile(_ path: String) -> String? { nil }
            func fileInfo(_ path: String) -> FileInfo? { nil }
            func which(_ program: String) -> String? { nil }
            func lookupUser(_ name: String) -> UserInfo? { nil }
            func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult { try live.run(command, onOutput: onOutput) }
        }
        let gate = SudoGate(program: fake)
        let output = CapturedOutput()
        try gate.ensure(host: OperatorLiveHost(), output: output)
        #expect(gate.ready)
        let log = String(decoding: Rel.read(directory + "/log") ?? Data(), as: UTF8.self)
        #expect(log == "-n true stdin=/dev/null\n-v stdin=/dev/null\n", "\(log)")
        #expect(output.text.contains("sudo itself asks for it now") && output.text.contains("never sees, passes or stores it"))
    }
}
