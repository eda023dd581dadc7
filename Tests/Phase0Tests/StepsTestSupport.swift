@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// The simulated Spark as it is after Step 0 (a 128G swapfile, active and in /etc/fstab, with
/// /swap.img retired), so the swap gate lets Steps 1–5 run, now and after a reboot.
func sparkAfterStep0() -> SimulatedSpark {
    var machine = SimulatedSpark()
    completeStep0(&machine)
    return machine
}

/// What Step 0 leaves on a simulated Spark: the swapfile active and persisted.
func completeStep0(_ machine: inout SimulatedSpark) {
    machine.swaps.append(SwapArea(path: "/swapfile", type: "file", sizeKiB: 128 * 1024 * 1024 - 4, usedKiB: 0, priority: -3))
    machine.files["/swapfile"] = SimFile(content: nil, mode: 0o600, size: 128 * 1024 * 1024 * 1024, swapSignature: true)
    let fstab = machine.files["/etc/fstab"]?.content ?? ""
    machine.files["/etc/fstab"]?.content = Fstab.ensureSwapfile(in: fstab, swapfile: "/swapfile").text
}

/// The Spark after Steps 2–3: the agent's tmux session runs under its unit, Open WebUI's
/// container runs with the guide's command (host-gateway route, 127.0.0.1:3000).
func sparkAfterStep3() -> SimulatedSpark {
    var machine = sparkAfterStep0()
    machine.services["vybn-agent.service"] = SimService(active: true, enabled: true)
    machine.files["/etc/systemd/system/vybn-agent.service"] = SimFile(content: "[Unit]\n", mode: 0o644)
    machine.tmuxSessions = [SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: "vybn-agent.service", socket: "vybn")]
    machine.webuiAccounts = 1
    machine.docker.images = ["ghcr.io/open-webui/open-webui:main"]
    machine.docker.containers = [SimContainer(
        name: "open-webui", image: "ghcr.io/open-webui/open-webui:main", running: true,
        argv: ["docker", "run", "-d", "-p", "127.0.0.1:3000:8080", "--add-host=host.docker.internal:host-gateway",
               "-e", "OLLAMA_BASE_URL=http://host.docker.internal:11434", "--memory=2g", "--memory-swap=4g",
               "-v", "open-webui:/app/backend/data", "--name", "open-webui", "--restart", "always",
               "ghcr.io/open-webui/open-webui:main"],
        labels: [:], memoryBytes: 2 * 1024 * 1024 * 1024)]
    return machine
}

/// The practice Spark, with hooks on docker stop/start and a record of every command. A
/// command the simulated Spark answers with "is not simulated yet" would reach a stand-in;
/// the docker / tmux / systemctl simulators now answer everything these tests run.
final class SparkWithStandIns: PracticeWrapper {
    let inner: PracticeHost
    /// Runs when `docker stop` stops a container (a test makes the agent die with it).
    var onDockerStop: ((inout SimulatedSpark) -> Void)?
    /// Runs when `docker start` starts a container (a test makes it crash right away).
    var onDockerStart: ((inout SimulatedSpark) -> Void)?
    /// `#{session_created}` per session name.
    var sessionCreated: [String: Int] = [:]
    private(set) var ran: [Command] = []

    init(_ machine: SimulatedSpark) { inner = PracticeHost(machine: machine) }

    var machine: SimulatedSpark {
        get { inner.machine }
        set { inner.machine = newValue }
    }

    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        ran.append(command)
        var result = try inner.run(command, onOutput: onOutput)
        if result.exitStatus == 127, result.output.contains("is not simulated yet") {
            let user: String
            switch command.runAs {
            case .invoker: user = invoker
            case .root: user = "root"
            case .user(let name): user = name
            }
            result = standIn(Array(command.argv.dropFirst()), program: command.program, as: user)
            if command.effect == .change && result.succeeded { inner.machine.history.append(command.display(invoker: invoker)) }
        }
        // The tests' hooks apply whichever simulator answered.
        let argv = command.argv
        if result.succeeded && argv.starts(with: ["docker", "stop"]) { onDockerStop?(&inner.machine) }
        if result.succeeded && argv.starts(with: ["docker", "start"]) { onDockerStart?(&inner.machine) }
        if argv.first == "tmux", argv.last == "#{session_created}", let target = argv.firstIndex(of: "-t").map({ argv[$0 + 1] }),
           let created = sessionCreated[target.hasPrefix("=") ? String(target.dropFirst()) : target], result.succeeded {
            result.output = "\(created)\n"
        }
        return result
    }

    private func standIn(_ args: [String], program: String, as user: String) -> CommandResult {
        switch program {
        case "systemctl" where args.first == "is-active" && args.count == 2:
            let active = machine.services[args[1]]?.active == true
            return CommandResult(exitStatus: active ? 0 : 3, output: active ? "active\n" : "inactive\n")
        case "journalctl":
            return CommandResult(exitStatus: 0, output: "-- No entries --\n")
        case "docker": return docker(args)
        case "tmux": return tmux(args, as: user)
        default: return CommandResult(exitStatus: 127, output: "stand-in: \(program) \(args) not handled\n")
        }
    }

    private func docker(_ args: [String]) -> CommandResult {
        func index(_ name: String) -> Int? { machine.docker.containers.firstIndex { $0.name == name } }
        let missing = { (name: String) in CommandResult(exitStatus: 1, output: "Error: No such container: \(name)\n") }
        switch args.first {
        case "info": return CommandResult(exitStatus: 0, output: "27.5.1\n")
        case "inspect" where args.count == 4 && args[1] == "--format":
            guard let i = index(args[3]) else { return CommandResult(exitStatus: 1, output: "Error: No such object: \(args[3])\n") }
            let container = machine.docker.containers[i]
            switch args[2] {
            case "{{.State.Running}}": return CommandResult(exitStatus: 0, output: "\(container.running)\n")
            case "{{.HostConfig.NetworkMode}}":
                return CommandResult(exitStatus: 0, output: (container.argv.contains("--network=host") ? "host" : "bridge") + "\n")
            case "{{.HostConfig.Memory}}": return CommandResult(exitStatus: 0, output: "\(container.memoryBytes)\n")
            default: return CommandResult(exitStatus: 1, output: "stand-in: template \(args[2])\n")
            }
        case "stop" where args.count == 2:
            guard let i = index(args[1]) else { return missing(args[1]) }
            machine.docker.containers[i].running = false
            return CommandResult(exitStatus: 0, output: args[1] + "\n")
        case "start" where args.count == 2:
            guard let i = index(args[1]) else { return missing(args[1]) }
            machine.docker.containers[i].running = true
            return CommandResult(exitStatus: 0, output: args[1] + "\n")
        case "exec" where args.count >= 3 && args[2] == "curl":
            guard let i = index(args[1]) else { return missing(args[1]) }
            guard machine.docker.containers[i].running else { return CommandResult(exitStatus: 1, output: "Error response from daemon: container is not running\n") }
            return machine.simulateCurl(Array(args.dropFirst(3)), from: .container(machine.docker.containers[i]))
        case "stats":
            guard let name = args.dropFirst().first, let i = index(name), machine.docker.containers[i].running else { return missing(args.dropFirst().first ?? "") }
            return CommandResult(exitStatus: 0, output: "312MiB / 2GiB (15.23%)\n")
        default:
            return CommandResult(exitStatus: 1, output: "stand-in: docker \(args) not handled\n")
        }
    }

    private func tmux(_ args: [String], as user: String) -> CommandResult {
        guard args.count >= 3, args[1] == "-t" || args[2] == "-t" else {
            return CommandResult(exitStatus: 1, output: "stand-in: tmux \(args) not handled\n")
        }
        let target = args[args.firstIndex(of: "-t")! + 1]
        let name = target.hasPrefix("=") ? String(target.dropFirst()) : target
        guard let session = machine.tmuxSessions.first(where: { $0.user == user && $0.name == name }) else {
            return CommandResult(exitStatus: 1, output: "can't find session: \(name)\n")
        }
        switch args[0] {
        case "has-session": return CommandResult(exitStatus: 0, output: "")
        case "list-clients":
            let clients = (0..<session.attachedClients).map { "/dev/pts/\($0 + 3): \(name) [120x40 xterm-256color] (utf8)\n" }
            return CommandResult(exitStatus: 0, output: clients.joined())
        case "display":
            if args.last == "#{session_created}" { return CommandResult(exitStatus: 0, output: "\(sessionCreated[name] ?? 1_714_550_000)\n") }
            if args.last == "#{session_attached}" { return CommandResult(exitStatus: 0, output: "\(session.attachedClients)\n") }
            return CommandResult(exitStatus: 1, output: "stand-in: format \(args.last ?? "")\n")
        default:
            return CommandResult(exitStatus: 1, output: "stand-in: tmux \(args[0]) not handled\n")
        }
    }
}

/// A line reader that lets the test play the operator: each answer may first do something
/// (detach from tmux) before it is typed.
final class OperatorScript: LineReader {
    var steps: [(line: String, before: (() -> Void)?)]
    private(set) var prompts: [String] = []
    init(_ steps: [(String, (() -> Void)?)]) { self.steps = steps.map { (line: $0.0, before: $0.1) } }
    func readLine(prompt: String, completion: Completion) throws -> String? {
        prompts.append(prompt)
        guard !steps.isEmpty else { return nil }
        let next = steps.removeFirst()
        next.before?()
        return next.line
    }
}

struct StepRun {
    var outcome: RunOutcome
    var output: String
    var progress: Progress
}

/// Runs `steps` through the real engine against `host`, with no resume file.
func runSteps(_ steps: [Step], on host: Host, reader: LineReader, answers: [String: String] = [:],
              answersFile: [String: String] = [:], progress: Progress? = nil, assumeYes: Bool = false,
              dryRun: Bool = false) -> StepRun {
    let output = CapturedOutput()
    var start = progress ?? Progress(mode: .practice, stepCount: 6, machine: (host as? PracticeHost)?.machine, now: "t0")
    for (key, value) in answers { start.answers[key] = value }
    let engine = Engine(steps: steps, host: host, output: output, reader: reader, progress: start, store: nil,
                        transcript: nil, answersFile: answersFile, options: RunOptions(assumeYes: assumeYes, dryRun: dryRun),
                        clock: { "t" })
    let outcome = engine.run()
    return StepRun(outcome: outcome, output: output.text, progress: engine.progress)
}

func runSteps(_ steps: [Step], on host: Host, lines: [String] = [], answers: [String: String] = [:],
              answersFile: [String: String] = [:], progress: Progress? = nil, assumeYes: Bool = false,
              dryRun: Bool = false) -> StepRun {
    runSteps(steps, on: host, reader: ScriptedLineReader(lines), answers: answers, answersFile: answersFile,
             progress: progress, assumeYes: assumeYes, dryRun: dryRun)
}

/// A test host that wraps the practice Spark and changes only how some commands run: reads,
/// lookups and the host's identity go to the simulated Spark unchanged.
protocol PracticeWrapper: Phase0Core.Host {
    var inner: PracticeHost { get }
}

extension PracticeWrapper {
    var name: String { inner.name }
    var isPractice: Bool { true }
    var invoker: String { inner.invoker }
    var snapshot: (any HostSnapshot)? { inner.snapshot }
    func readFile(_ path: String) -> String? { inner.readFile(path) }
    func fileInfo(_ path: String) -> FileInfo? { inner.fileInfo(path) }
    func which(_ program: String) -> String? { inner.which(program) }
    func lookupUser(_ name: String) -> UserInfo? { inner.lookupUser(name) }
    func listDirectory(_ path: String) -> [String]? { inner.listDirectory(path) }
    var selfProcess: SelfProcess { inner.selfProcess }
}
