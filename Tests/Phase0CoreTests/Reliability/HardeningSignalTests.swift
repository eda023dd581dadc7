@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Phase0TestKit
import Foundation
import Synchronization
import Testing
@testable import Phase0Core
import Phase0Steps

/// Issue 10: SIGTERM, SIGHUP and SIGQUIT are handled like Ctrl-C; Ctrl-C stops a `-y` run
/// between actions; a child starts with SIGXFSZ at its default. Real signals through the real
/// handler, each case in its own child process (an exit test): the flag is process-wide.
@Suite struct HardeningSignalTests {
    /// A real slow command (`sleep 30` through ProcessRunner, as every live command runs) and a
    /// real signal: the child is signalled and waited for (no child is left, running or
    /// zombie), the action is recorded `interrupted`, the run exits 128 + the signal.
    @Test(arguments: [SIGTERM, SIGHUP, SIGQUIT])
    func aSignalDuringACommandStopsAndReapsTheChild(signal: Int32) async throws {
        let scratch = try TempDir("signal", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        await #expect(processExitsWith: .exitCode(128 + signal)) { [directory = directory as String, signal = signal as Int32] in
            exit(SignalChild.run(directory: directory, signal: signal))
        }
        let report = String(decoding: Rel.read(directory + "/report.txt") ?? Data(), as: UTF8.self)
        #expect(report.contains("children: none"), "\(report)")
        let elapsed = Double(report.split(separator: "\n").first { $0.hasPrefix("elapsed: ") }?.dropFirst(9) ?? "99") ?? 99
        #expect(elapsed < 5, "the wizard took \(elapsed) s to stop a 30 s command")
        let progress = try Progress.decodePractice(try #require(Rel.read(directory + "/state.json")))
        let allocate = try #require(progress.step(0)?.action("allocate"))
        #expect(allocate.status == .interrupted)
        #expect(allocate.note?.contains("outcome unknown") == true, "\(allocate.note ?? "")")
        let transcript = String(decoding: Rel.read(directory + "/state.json.transcript.log") ?? Data(), as: UTF8.self)
        #expect(transcript.contains("interrupted ("), "\(transcript)")
    }

    /// `--practice -y` has no prompt and no slow command: the engine itself looks for the
    /// signal between actions. Ctrl-C after the first action stops the run there (exit 130),
    /// and the next run goes on from the next action.
    @Test func ctrlCBetweenActionsStopsANonInteractiveRun() async throws {
        let scratch = try TempDir("between", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        await #expect(processExitsWith: .exitCode(130)) { [directory = directory as String] in
            InterruptFlag.install()
            let result = try? FaultInjection.$observer.withValue({ point in
                if point == "0:allocate:after" { raise(SIGINT) }
            }) {
                try InProcessRun(statePath: directory + "/state.json").run(machine: Rel.spark())
            }
            guard let result else { exit(2) }
            try? JSONEncoder().encode(result.machine).write(to: URL(fileURLWithPath: directory + "/machine.json"))
            exit(result.outcome.exitCode)
        }
        let machine = try JSONDecoder().decode(SimulatedSpark.self, from: try #require(Rel.read(directory + "/machine.json")))
        #expect(machine.history == ["sudo fallocate -l 128G /swapfile"], "\(machine.history)")
        let resumed = try InProcessRun(statePath: directory + "/state.json").run(machine: machine)
        #expect(resumed.outcome == .complete, "\(resumed.output.suffix(400))")
        #expect(resumed.machine.history.filter { $0.contains("fallocate") }.count == 1)
    }

    /// phase0 ignores SIGXFSZ (so a size limit is an error it reports, not a silent death);
    /// the commands it runs get the default back, as a shell would start them.
    @Test func aChildStartsWithSIGXFSZAtItsDefault() async {
        await #expect(processExitsWith: .exitCode(0)) {
            signal(SIGXFSZ, SIG_IGN)
            let result = try? ProcessRunner.run(argv: ["cat", "/proc/self/status"], input: nil, timeout: 10, onOutput: nil, outputLimit: 65536)
            let line = result?.output.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
            guard let mask = line.flatMap({ UInt64($0.dropFirst(7).trimmingWhitespace(), radix: 16) }) else { exit(2) }
            exit(mask & (1 << UInt64(SIGXFSZ - 1)) == 0 ? 0 : 1)
        }
    }

    /// Ctrl-C in the instant between a prompt's look at the flag and its wait for input: the
    /// wait still ends (the handler's byte on the wake pipe). A plain `read` there blocked until
    /// the next key; under qemu-user, where that instant is long, a PTY test saw it once.
    @Test func ctrlCJustBeforeAPromptWaitsStillStopsIt() async {
        await #expect(processExitsWith: .exitCode(0)) {
            InterruptFlag.install()
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0, dup2(ends[0], 0) == 0 else { exit(2) }  // input that never comes
            InterruptFlag.beforeWait = { raise(SIGINT) }
            alarm(10)  // a wait that missed the signal blocks: SIGALRM then ends this child red
            do {
                _ = try PlainLineReader(output: StandardOutput()).readLine(prompt: "", completion: .none)
                exit(1)
            } catch is Interrupted {
                exit(InterruptFlag.signal == SIGINT ? 0 : 3)
            } catch {
                exit(4)
            }
        }
    }
}

/// The child process's side: a real signal while a real slow command runs.
enum SignalChild {
    static func run(directory: String, signal: Int32) -> Int32 {
        InterruptFlag.install()
        let started = Atomic<Bool>(false)
        Thread.detachNewThread {
            while !started.load(ordering: .acquiring) { usleep(1000) }
            usleep(150_000)
            kill(getpid(), signal)
        }
        let begin = Date()
        let transcript = Transcript(path: directory + "/state.json.transcript.log")
        let result = try? InProcessRun(statePath: directory + "/state.json").run(
            machine: SimulatedSpark(),
            host: { SlowAllocationHost(inner: $0, applyFirst: false, started: { started.store(true, ordering: .releasing) }) },
            transcript: transcript)
        var status: Int32 = 0
        let waited = waitpid(-1, &status, WNOHANG)
        let children = waited == -1 && errno == ECHILD ? "none" : "left (waitpid \(waited))"
        let report = "elapsed: \(Date().timeIntervalSince(begin))\nchildren: \(children)\n"
        try? report.write(toFile: directory + "/report.txt", atomically: true, encoding: .utf8)
        guard let result else { return 2 }
        return result.outcome.exitCode
    }
}
