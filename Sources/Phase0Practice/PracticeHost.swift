import Phase0Core
import Phase0Parsers

/// Host for practice mode: reads and commands are answered by the simulated Spark, which is
/// saved with the progress so a practice run resumes on the same machine.
public final class PracticeHost: Host {
    public var machine: SimulatedSpark
    public let isPractice = true
    /// Practice acts as the guide's operator, whoever runs it.
    public var invoker: String { machine.operatorUser }
    public var name: String { "\(machine.hostname) (simulated)" }

    public init(machine: SimulatedSpark) { self.machine = machine }

    public var snapshot: (any HostSnapshot)? { machine }
    public var pathCompleter: ((String) -> [String])? { { [unowned self] in self.pathCompletions($0) } }

    public func readFile(_ path: String) -> String? {
        switch path {
        case "/proc/swaps": return ProcSwaps.render(machine.swaps)
        case "/proc/meminfo": return machine.procMeminfo
        case "/proc/sys/vm/swappiness": return "\(machine.swappiness)\n"
        case "/proc/1/comm": return "systemd\n"
        default:
            if path.hasPrefix("/proc/"), path.hasSuffix("/cgroup"), let pid = Int(path.dropFirst(6).dropLast(7)) {
                return machine.procCgroup(pid)
            }
            return machine.resolvedFile(path)?.content
        }
    }

    public func fileInfo(_ path: String) -> FileInfo? {
        guard let file = machine.resolvedFile(path) else { return nil }
        return FileInfo(size: file.size, mode: file.mode, isDirectory: file.isDirectory, owner: file.owner, inode: file.inode)
    }

    public func listDirectory(_ path: String) -> [String]? {
        guard machine.files[path]?.isDirectory == true else { return nil }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return machine.files.keys.filter { $0.hasPrefix(prefix) && $0.count > prefix.count && !$0.dropFirst(prefix.count).contains("/") }
            .map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// In practice phase0 runs as the operator, inside their own tmux session when the
    /// scenario says so (`phase0InTmux`): the server of that session is its ancestor.
    public var selfProcess: SelfProcess {
        guard let session = machine.phase0Tmux, machine.tmuxSession("=" + session, of: invoker) != nil,
            let pid = machine.tmuxServerPID(invoker)
        else { return SelfProcess(ancestors: [1999]) }
        return SelfProcess(tmuxSocket: machine.tmuxSocket(invoker), tmuxServerPID: pid, ancestors: [pid + 50, pid])
    }

    public func which(_ program: String) -> String? {
        let name = program.split(separator: "/").last.map(String.init) ?? program
        return machine.programs.contains(name) ? "/usr/bin/\(name)" : nil
    }

    public func lookupUser(_ name: String) -> UserInfo? { machine.users.first { $0.name == name } }

    /// The simulated files and directories a typed absolute path prefix can complete to, in
    /// its directory only (directories end in "/"): Tab completion at practice prompts.
    public func pathCompletions(_ prefix: String) -> [String] {
        guard prefix.hasPrefix("/") else { return [] }
        let directory = String(prefix[...prefix.lastIndex(of: "/")!])
        return machine.files.compactMap { path, file in
            guard path.hasPrefix(prefix), path.count > directory.count, path.hasPrefix(directory),
                !path.dropFirst(directory.count).contains("/")
            else { return nil }
            return file.isDirectory ? path + "/" : path
        }.sorted()
    }

    /// The operator confirmed an operator task: in practice the simulated operator does it
    /// (SimOperator.swift). Returns what was done, for the screen.
    public func operatorTaskConfirmed(_ taskID: String) -> String? { machine.performOperatorTask(taskID) }

    public func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        let user: String
        switch command.runAs {
        case .invoker: user = invoker
        case .root: user = "root"
        case .user(let name): user = name
        }
        let result = machine.execute(command.argv, as: user, input: command.input)
        if command.effect == .change && result.succeeded {
            machine.history.append(Redactor.redact(command.display(invoker: invoker)))
        }
        if command.streamsOutput { onOutput?(result.output) }
        return result
    }
}

extension SimulatedSpark {
    var procMeminfo: String {
        let swapTotal = swaps.reduce(0) { $0 + $1.sizeKiB }
        let swapUsed = swaps.reduce(0) { $0 + $1.usedKiB }
        return """
            MemTotal:       \(memTotalKiB) kB
            MemFree:        \(memAvailableKiB / 2) kB
            MemAvailable:   \(memAvailableKiB) kB
            Buffers:        1024 kB
            Cached:         \(memAvailableKiB / 2) kB
            SwapCached:     0 kB
            SwapTotal:      \(swapTotal) kB
            SwapFree:       \(swapTotal - swapUsed) kB

            """
    }

    /// Runs one simulated command as `user`, with its effect on this machine.
    mutating func execute(_ argv: [String], as user: String, input: String?) -> CommandResult {
        guard let program = argv.first else { return .init(exitStatus: 127, output: "empty command\n") }
        let name = program.split(separator: "/").last.map(String.init) ?? program
        let args = Array(argv.dropFirst())
        // ss, venv python by path, curl to Open WebUI, systemd-analyze, pgrep (SimHostProbes.swift).
        if let answer = simulateAgentAndWebUIProbes(argv, as: user) { return answer }
        let needsProgram = ![
            "fallocate", "chmod", "mkswap", "swapon", "sysctl", "install", "mv", "cp",
            "chattr", "truncate", "test", "stat", "cat", "true", "timeout", "id", "blkid", "rm",
            "ps", "kill", "readlink",
        ].contains(name)
        if needsProgram && !programs.contains(name) && !program.hasPrefix("/") {
            return .init(exitStatus: 127, output: "\(name): command not found\n")
        }
        switch name {
        case "fallocate", "chmod", "mkswap", "swapon", "swapoff", "sysctl", "chattr", "truncate":
            return simulateSwap(name, args, as: user)
        case "install", "mv", "cp", "cat", "test", "stat", "rm":
            return simulateFiles(name, args, as: user, input: input)
        case "findmnt": return simulateFindmnt(args)
        case "blkid":
            // blkid -p -o value -s TYPE FILE
            guard let path = args.last, let file = files[path] else { return .init(exitStatus: 2, output: "") }
            guard user == "root" else { return .init(exitStatus: 2, output: "") }
            return file.swapSignature ? .init(exitStatus: 0, output: "swap\n") : .init(exitStatus: 2, output: "")
        case "true": return .init(exitStatus: 0, output: "")
        case "timeout":
            guard args.count >= 2 else { return .init(exitStatus: 125, output: "timeout: missing operand\n") }
            return execute(Array(args.dropFirst()), as: user, input: input)
        case "apt-get", "apt", "ufw", "mosh", "mosh-server", "dpkg-query": return simulatePackages(name, args, as: user)
        case "systemctl", "journalctl", "systemd-analyze": return simulateSystemd(name, args, as: user, input: input)
        case "tmux", "pkill", "pgrep": return simulateTmux(name, args, as: user)
        case "ps", "kill", "id": return simulateProcessCommand(name, args, as: user)
        case "docker": return simulateDocker(args, as: user)
        case "curl", "ollama": return simulateHTTP(name, args)
        case "tailscale": return simulateTailscale(args, as: user)
        case "ip", "dmesg", "vmstat": return simulateDiagnostics(name, args, as: user)
        default:
            // A program run by its path (the venv's python) rather than an installed one.
            if program.hasPrefix("/") && !programs.contains(name) { return simulateExecutable(program, args) }
            return .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated\n")
        }
    }

    static func denied(_ what: String) -> CommandResult {
        .init(exitStatus: 1, output: "\(what): Permission denied\n")
    }

    /// The mount holding `path`: the longest mount target that prefixes it.
    func mount(for path: String) -> SimMount? {
        mounts.filter { path == $0.target || path.hasPrefix($0.target == "/" ? "/" : $0.target + "/") }
            .max { $0.target.count < $1.target.count }
    }

    /// The file at `path`, following symbolic links (at most 8).
    func resolvedFile(_ path: String) -> SimFile? {
        var current = path
        for _ in 0..<8 {
            guard let file = files[current] else { return nil }
            guard let target = file.linkTarget else { return file }
            current = target.hasPrefix("/") ? target : normalizedPath(parentDirectory(current) + "/" + target)
        }
        return nil
    }

    /// `/etc/sysctl.d/../sysctl.conf` -> `/etc/sysctl.conf`.
    func normalizedPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension SimulatedSpark: HostSnapshot {}

/// Practice mode's machines: the saved simulated Spark, or the guide's Spark with a scenario.
public struct PracticeHostFactory: HostFactory {
    public init() {}
    public var mode: RunMode { .practice }
    public var snapshotType: (any HostSnapshot.Type)? { SimulatedSpark.self }

    public func makeHost(saved: (any HostSnapshot)?, scenarioPath: String?) throws -> MadeHost {
        if let machine = saved as? SimulatedSpark { return MadeHost(host: PracticeHost(machine: machine)) }
        guard let scenarioPath else { return MadeHost(host: PracticeHost(machine: SimulatedSpark())) }
        let scenario = try Scenario.resolve(scenarioPath)
        // Say what the scenario rehearses, so the operator knows what to look for.
        let notice =
            "Practice scenario \(scenarioPath)"
            + (scenario.description.map { ":\n" + TextLayout.wrap($0, width: TextLayout.terminalWidth(), indent: "  ") } ?? "")
        return MadeHost(host: PracticeHost(machine: scenario.apply()), notice: notice)
    }
}

extension SimulatedSpark {
    /// What `status --json` shows of the simulated Spark.
    struct Summary: Encodable {
        var hostname: String
        var swaps: [SwapArea]
        var swappiness: Int
        var fstab: [String]
        var filesWritten: [String]
        var services: [String: SimService]
        var tmuxSessions: [SimTmuxSession]
        var containers: [SimContainer]
        var tailscale: SimTailscale
        var ufw: SimUfw
        var webuiAccounts: Int
        var history: [String]
    }

    public var statusLines: [String] {
        let active = services.filter { $0.value.active }.keys.sorted()
        return [
            "swap areas: " + swaps.map { "\($0.path) \(ByteSize.human(kiB: $0.sizeKiB))" }.joined(separator: ", "),
            "services active: " + (active.isEmpty ? "none" : active.joined(separator: ", ")),
            "tmux sessions: " + (tmuxSessions.isEmpty ? "none" : tmuxSessions.map { "\($0.name) (\($0.user))" }.joined(separator: ", ")),
            "containers: "
                + (docker.containers.isEmpty
                    ? "none" : docker.containers.map { "\($0.name) (\($0.running ? "running" : "stopped"))" }.joined(separator: ", ")),
            "tailscale serve: " + (tailscale.serveProxy ?? "nothing served"),
        ]
    }

    public var summary: any Encodable {
        let initial = SimulatedSpark.guideFiles
        let written = files.keys.filter { path in
            guard let file = files[path], !file.isDirectory else { return false }
            return initial[path] != file
        }.sorted()
        return Summary(
            hostname: hostname, swaps: swaps, swappiness: swappiness,
            fstab: (files["/etc/fstab"]?.content ?? "").split(separator: "\n").map(String.init),
            filesWritten: written, services: services, tmuxSessions: tmuxSessions,
            containers: docker.containers, tailscale: tailscale, ufw: ufw, webuiAccounts: webuiAccounts ?? 0,
            history: history)
    }
}
