@testable import Phase0Core
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Step 2 stopping a tui.py started by hand, on this machine's real processes: the guest suite
/// saw the hand-run agent's parent (the operator's tmux server) leave it unreaped after SIGTERM,
/// and a wait on its PID (`tail --pid`) then counted it as running until its 60 s ran out.
@Suite struct OtherAgentLiveTests {
    static let unit = "vybn-agent.service"

    /// A stand-in agent: `sleep` under the name tui.py (the probe matches the program's name),
    /// whose parent `exec`s into a sleep that never reaps it: once stopped it stays a zombie.
    @Test func anAgentThatExitedButIsNotReapedCountsAsStopped() throws {
        let host = LiveHost()
        // Never stop an agent this test did not start (a developer's Spark runs the real one).
        let before = Probe.agentProcesses(host, outsideUnit: Self.unit)
        try #require(before.value != nil, "ps could not be run")
        guard before.value?.isEmpty == true else {
            Issue.record("skipped: a tui.py or web_serve.py already runs here: \(before.value ?? [])")
            return
        }
        let dir = try TempDir("other-agent")
        defer { dir.remove() }
        let agent = dir.path + "/tui.py"
        try #require(symlink(try #require(host.which("sleep")), agent) == 0)
        let parent = try Program.start(["/bin/sh", "-c", "\"$0\" 600 & exec sleep 600", agent])
        defer {
            kill(parent.pid, SIGKILL)
            _ = parent.wait(timeout: 10)
        }
        let child = try #require(waitForChild(of: parent.pid, running: agent), "the stand-in agent did not start")
        defer { kill(pid_t(child), SIGKILL) }  // a failed run leaves it running, adopted by init
        #expect(Probe.agentProcesses(host, outsideUnit: Self.unit).value?.map(\.pid) == [child])

        let me = try #require(host.lookupUser(host.invoker))
        let stop = AgentTmux.otherAgent
        let step = Step(number: 0, title: "Agent", why: "", manual: "", actions: [stop], verify: { [try stop.check($0)] })
        let answers = [
            "user": me.name, "home": me.home, "agentDir": dir.path, "venvPython": "/usr/bin/python3",
            "tmuxSession": "vybn", "unitName": Self.unit, "ollamaUnit": "ollama.service",
            "ollamaURL": "http://127.0.0.1:11434",
        ]
        let run = EngineRun(
            [step], on: host, stepCount: 1, answers: answers, answersFile: ["stopOtherAgent": "yes"],
            options: RunOptions(assumeYes: true))
        #expect(run.run() == .complete, "\(run.text)")
        #expect(run.text.contains("$ kill -TERM \(child)"))
        #expect(run.text.contains("then waits up to 60 s until the check passes"))
        // The case itself: stopped, not reaped (kill -0 and tail --pid would call it running).
        #expect(processState(child) == "Z")
        #expect(kill(pid_t(child), 0) == 0)
    }

    func waitForChild(of parent: pid_t, running program: String) -> Int? {
        for _ in 0..<200 {
            let children = (try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8)) ?? ""
            for pid in children.split(separator: " ").compactMap({ Int($0) }) {
                let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
                if String(decoding: commandLine, as: UTF8.self).hasPrefix(program + "\u{0}") { return pid }
            }
            usleep(20_000)
        }
        return nil
    }

    /// The state letter of /proc/PID/stat ("R", "S", "Z", ...), nil when the process is gone.
    func processState(_ pid: Int) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init)
    }
}
