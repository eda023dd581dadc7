@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Synchronization
import Testing
@testable import Phase0Core
import Phase0Steps

/// Ctrl-C while a command runs (issue 5): the command's outcome is recorded as unknown
/// (`interrupted`) and re-checked first on resume.
///
/// Honest setup: practice commands are instantaneous, so the allocation here is a real slow
/// process (`sleep 30`) run through the live path (ProcessRunner, as LiveHost runs every
/// command), and the interrupt is a real SIGINT caught by the real handler. Because SIGINT and
/// the interrupt flag are process-wide, each case runs in its own child process (an exit
/// test): a parallel test's command can never see this flag. The child leaves the resume
/// file, the machine and the transcript in a directory; the parent checks them and resumes.
@Suite struct ReliabilityInterruptTests {
    /// The allocation's effect already happened when Ctrl-C came (the command was finishing),
    /// or not yet (it was still waiting): both are "unknown" until re-checked.
    @Test(arguments: [true, false])
    func ctrlCDuringACommandIsRecordedUnknownAndRecheckedOnResume(effectBeforeInterrupt: Bool) async throws {
        let scratch = try TempDir("sigint", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        await #expect(processExitsWith: .exitCode(0)) { [directory = directory as String, effect = effectBeforeInterrupt as Bool] in
            exit(InterruptChild.run(directory: directory, effectBeforeInterrupt: effect))
        }
        let output = String(decoding: Rel.read(directory + "/output.txt") ?? Data(), as: UTF8.self)
        #expect(output.contains("Interrupted. The running command's outcome is unknown"), "\(output.suffix(800))")
        let transcript = String(decoding: Rel.read(directory + "/state.json.transcript.log") ?? Data(), as: UTF8.self)
        #expect(transcript.contains("$ sudo fallocate -l 128G /swapfile"))
        #expect(transcript.contains("interrupted (Ctrl-C); outcome unknown"))
        let elapsed = Double(String(decoding: Rel.read(directory + "/elapsed.txt") ?? Data(), as: UTF8.self)) ?? 99
        #expect(elapsed < 5, "the wizard took \(elapsed) s to stop a 30 s command on Ctrl-C")

        // The record says: in flight when interrupted, outcome unknown.
        let saved = try #require(Rel.read(directory + "/state.json"))
        let progress = try Progress.decodePractice(saved)
        let allocate = try #require(progress.step(0)?.action("allocate"))
        #expect(allocate.status == .interrupted)
        #expect(allocate.note?.contains("outcome unknown") == true)
        #expect(allocate.attempts == 1)

        // Resume (no Ctrl-C now): the interrupted action is re-checked before anything else.
        let machine = try JSONDecoder().decode(SimulatedSpark.self, from: try #require(Rel.read(directory + "/machine.json")))
        var recorder: SparkWithHooks?
        let resumed = try InProcessRun(statePath: directory + "/state.json").run(machine: machine) {
            recorder = SparkWithHooks(wrapping: $0)
            return recorder!
        }
        let commands = try #require(recorder)
        let text = resumed.output
        let notice = try #require(text.range(of: "Resuming: \"Allocate the swapfile\" was in flight"))
        let firstCommandShown = text.range(of: "Will run:")
        #expect(firstCommandShown == nil || notice.lowerBound < firstCommandShown!.lowerBound)
        let fallocates = resumed.machine.history.filter { $0.contains("fallocate") }
        #expect(fallocates.count == 1, "fallocate ran \(fallocates.count) times in all")
        let after = try Progress.decodePractice(try #require(Rel.read(directory + "/state.json")))
        let record = try #require(after.step(0)?.action("allocate"))
        #expect(record.status == .done)
        // Re-run only when the check found the effect missing.
        #expect(record.attempts == (effectBeforeInterrupt ? 1 : 2))
        #expect(commands.changes.contains { $0.hasPrefix("fallocate") } == !effectBeforeInterrupt)
        #expect(after.step(0)?.status == .done)
    }
}

/// The child process's side: a real SIGINT while a real slow command runs.
enum InterruptChild {
    static func run(directory: String, effectBeforeInterrupt: Bool) -> Int32 {
        InterruptFlag.install()
        let started = Atomic<Bool>(false)
        // The "terminal": once the slow command is running, Ctrl-C.
        Thread.detachNewThread {
            while !started.load(ordering: .acquiring) { usleep(1000) }
            usleep(150_000)
            kill(getpid(), SIGINT)
        }
        let begin = Date()
        let transcript = Transcript(path: directory + "/state.json.transcript.log")
        let result = try? InProcessRun(statePath: directory + "/state.json").run(
            machine: SimulatedSpark(),
            host: { SlowAllocationHost(inner: $0, applyFirst: effectBeforeInterrupt, started: { started.store(true, ordering: .releasing) }) },
            transcript: transcript)
        try? String(Date().timeIntervalSince(begin)).write(toFile: directory + "/elapsed.txt", atomically: true, encoding: .utf8)
        guard let result else { return 2 }
        try? result.output.write(toFile: directory + "/output.txt", atomically: true, encoding: .utf8)
        try? JSONEncoder().encode(result.machine).write(to: URL(fileURLWithPath: directory + "/machine.json"))
        return result.outcome == .interrupted ? 0 : 1
    }
}

/// The practice Spark, except that `fallocate` takes as long as a real one on a slow disk:
/// a real `sleep 30` through ProcessRunner, the path every live command takes.
final class SlowAllocationHost: PracticeWrapper {
    let inner: PracticeHost
    let applyFirst: Bool
    let started: () -> Void
    init(inner: PracticeHost, applyFirst: Bool, started: @escaping () -> Void) {
        self.inner = inner
        self.applyFirst = applyFirst
        self.started = started
    }
    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        guard command.program == "fallocate" else { return try inner.run(command, onOutput: onOutput) }
        if applyFirst { _ = try inner.run(command, onOutput: onOutput) }
        started()
        _ = try ProcessRunner.run(argv: ["sleep", "30"], input: nil, timeout: nil, onOutput: nil, outputLimit: 1024)
        return applyFirst ? CommandResult(exitStatus: 0, output: "") : try inner.run(command, onOutput: onOutput)
    }
}
