@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// The simulated Spark, except that commands `failing` matches fail with `result`: sudo -n
/// wanting a password, a daemon that does not answer. Every command run is recorded.
final class SparkWithFailures: PracticeWrapper {
    let inner: PracticeHost
    let failing: (Command) -> Bool
    let result: CommandResult
    private(set) var ran: [Command] = []

    init(_ machine: SimulatedSpark, result: CommandResult, failing: @escaping (Command) -> Bool) {
        inner = PracticeHost(machine: machine)
        self.result = result
        self.failing = failing
    }

    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        ran.append(command)
        return failing(command) ? result : try inner.run(command, onOutput: onOutput)
    }

    func ranAny(_ words: String) -> Bool { ran.contains { $0.argv.joined(separator: " ").contains(words) } }
}

/// Canned answers by the command's first words, for the probes alone.
final class CannedHost: Phase0Core.Host {
    var answers: [(prefix: [String], result: CommandResult)]
    var files: [String: String] = [:]
    var fileInfos: [String: FileInfo] = [:]
    init(_ answers: [(prefix: [String], result: CommandResult)]) { self.answers = answers }
    let name = "canned"
    let isPractice = true
    let invoker = "vybnz69"
    func readFile(_ path: String) -> String? { files[path] }
    func fileInfo(_ path: String) -> FileInfo? { fileInfos[path] }
    func which(_ program: String) -> String? { "/usr/bin/\(program)" }
    func lookupUser(_ name: String) -> UserInfo? { nil }
    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        let argv = command.effectiveArgv(invoker: invoker)
        guard let answer = answers.first(where: { argv.starts(with: $0.prefix) }) else { throw SpawnError(program: argv[0], code: 2) }
        return answer.result
    }
}

@Suite struct ProbeLookupTests {
    static let sudoWantsPassword = CommandResult(exitStatus: 1, output: "sudo: a password is required\n")

    @Test func dockerTellsNoContainerFromNoAnswer() {
        let noSuch = CommandResult(exitStatus: 1, output: "Error: No such object: open-webui\n")
        let denied = CommandResult(exitStatus: 1, output: "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n")
        #expect(Probe.containerRunning(CannedHost([(["docker"], noSuch)]), "open-webui") == .absent)
        #expect(Probe.containerRunning(CannedHost([(["docker"], .init(exitStatus: 0, output: "true\n"))]), "open-webui") == .found(true))
        // Not in the docker group, and sudo -n wants a password: that is no answer, never "no container".
        let unknown = Probe.containerRunning(CannedHost([(["docker"], denied), (["sudo", "-n", "docker"], Self.sudoWantsPassword)]), "open-webui")
        #expect(unknown.unknownReason?.contains("sudo: a password is required") == true, "\(unknown)")
        // Not in the docker group, root can ask: root's answer counts.
        #expect(Probe.containerRunning(CannedHost([(["docker"], denied), (["sudo", "-n", "docker"], noSuch)]), "open-webui") == .absent)
    }

    @Test func tmuxTellsNoServerOrSessionFromNoAnswer() {
        // tmux 3.3a's words (FACTS.md C2, and run here).
        for said in ["no server running on /tmp/tmux-1000/default", "error connecting to /tmp/tmux-1000/default (No such file or directory)",
                     "can't find session: vybn"] {
            let host = CannedHost([(["sudo"], .init(exitStatus: 1, output: said + "\n"))])
            #expect(Probe.tmuxHasSession(host, user: "zoe", session: "vybn").unknownReason == nil, "\(said)")
            #expect(Probe.tmuxSessions(host, user: "zoe") == .absent, "\(said)")
        }
        let denied = Probe.tmuxSessions(CannedHost([(["sudo"], Self.sudoWantsPassword)]), user: "zoe")
        #expect(denied.unknownReason?.contains("a password is required") == true)
        let refused = Probe.tmuxSessions(CannedHost([(["sudo"], .init(exitStatus: 1, output: "error connecting to /tmp/tmux-1000/default (Permission denied)\n"))]), user: "zoe")
        #expect(refused.unknownReason != nil)
    }

    @Test func systemctlTellsStatesFromNoAnswer() {
        #expect(Probe.unitActive(CannedHost([(["systemctl"], .init(exitStatus: 3, output: "inactive\n"))]), "x.service") == .found("inactive"))
        #expect(Probe.unitEnabled(CannedHost([(["systemctl"], .init(exitStatus: 1, output: "disabled\n"))]), "x.service") == .found("disabled"))
        let missing = CommandResult(exitStatus: 1, output: "Failed to get unit file state for x.service: No such file or directory\n")
        #expect(Probe.unitEnabled(CannedHost([(["systemctl"], missing)]), "x.service") == .absent)
        let noSystemd = CommandResult(exitStatus: 1, output: "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n")
        #expect(Probe.unitActive(CannedHost([(["systemctl"], noSystemd)]), "x.service").unknownReason?.contains("not been booted with systemd") == true)
        #expect(Probe.unitActive(CannedHost([]), "x.service").unknownReason?.contains("could not be run") == true)
    }

    @Test func aFileThatCannotBeReadIsNotAMissingFile() {
        let host = CannedHost([])
        host.files["/etc/fstab"] = "UUID=x / ext4 defaults 0 1\n"
        host.fileInfos["/etc/secret.conf"] = FileInfo(size: 10, mode: 0o600, isDirectory: false, owner: "root")
        #expect(host.lookupFile("/etc/fstab") == .found("UUID=x / ext4 defaults 0 1\n"))
        #expect(host.lookupFile("/etc/none.conf") == .absent)
        #expect(host.lookupFile("/etc/secret.conf").unknownReason?.contains("cannot be read") == true)
    }
}

/// A step that cannot tell whether something is there refuses, with the reason, instead of
/// acting as if it were not there. Each of these ran on into a change before.
@Suite struct CouldNotTellRefusalTests {
    @Test func step3DoesNotReplaceOrCreateAContainerItCannotSee() throws {
        var machine = sparkAfterStep0()
        machine.docker.containers = [SimContainer(name: "open-webui", image: "ghcr.io/open-webui/open-webui:main", running: true,
                                                  argv: [], labels: [:], memoryBytes: 0)]
        let daemonStuck = CommandResult(exitStatus: 1, output: "error during connect: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.47/containers/open-webui/json\": context deadline exceeded\n")
        let host = SparkWithFailures(machine, result: daemonStuck) { $0.argv.starts(with: ["docker", "inspect", "--type", "container"]) }
        let run = runSteps([OpenWebUIStep.make()], on: host, answersFile: ["replaceContainer": "yes"], assumeYes: true)
        #expect(isFailure(run.outcome, containing: "cannot tell whether a container named open-webui exists"), "\(run.outcome)")
        #expect(run.text.contains("context deadline exceeded"))
        #expect(!host.ranAny("docker rm") && !host.ranAny("docker run"), "\(host.ran.map(\.argv))")
        #expect(host.inner.machine.docker.containers.map(\.name) == ["open-webui"])
    }

    @Test func step2DoesNotStopATmuxServerItCannotSee() throws {
        let host = SparkWithFailures(sparkAfterStep0(), result: ProbeLookupTests.sudoWantsPassword) { $0.program == "tmux" && $0.effect == .readOnly }
        let run = runSteps([AgentServiceStep.make()], on: host, assumeYes: true)
        #expect(isFailure(run.outcome, containing: "cannot tell whether a tmux server started by hand runs for vybnz69"), "\(run.outcome)")
        #expect(run.text.contains("a password is required"))
        #expect(!host.ranAny("kill-server") && !host.ranAny("systemctl start"), "\(host.ran.map(\.argv))")
    }

    @Test func step0DoesNotRunMkswapOnAFileItCannotRead() throws {
        let host = SparkWithFailures(SimulatedSpark(), result: ProbeLookupTests.sudoWantsPassword) { $0.program == "blkid" }
        let run = runSteps([SwapStep.make()], on: host, assumeYes: true)
        #expect(run.text.contains("cannot tell what /swapfile holds"), "\(run.text)")
        #expect(!host.ranAny("mkswap"))
    }
}
