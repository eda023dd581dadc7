import FoundationEssentials
import Phase0Core
import Phase0Parsers

/// How docker is run on this machine: by the operator directly (the docker group, or root) or
/// through sudo. The wizard, `reference` and `troubleshoot` all ask this one question, so what
/// they run and what they advise agree.
public enum DockerAccess: Equatable, Sendable {
    case direct
    case sudo

    /// "sudo " or "", for advice shown to the operator.
    public var prefix: String { self == .sudo ? "sudo " : "" }

    /// `docker ARGS` that changes something, as the wizard runs it (shown and confirmed).
    public func change(_ args: [String], timeout: Int? = nil, streamsOutput: Bool = false) -> Command {
        self == .direct
            ? Command(["docker"] + args, runAs: .invoker, effect: .change, timeout: timeout, streamsOutput: streamsOutput)
            : .privileged(["docker"] + args, timeout: timeout, streamsOutput: streamsOutput)
    }

    /// `docker ARGS` that only reads (as root with `sudo -n`, which never prompts, when needed).
    public func probe(_ args: [String], timeout: Int? = 30) -> Command {
        self == .direct ? Command(["docker"] + args, timeout: timeout) : .rootProbe(["docker"] + args, timeout: timeout)
    }
}

/// A python process running the agent's tui.py or its web_serve.py (`ps` and /proc/PID/cgroup).
public struct AgentProcess: Equatable, Sendable {
    public var pid: Int
    public var user: String
    public var commandLine: String
    public var script: String
}

/// What Open WebUI says about its accounts (FACTS A1: unauthenticated `GET /api/config` carries
/// `"onboarding": true` only while no account exists).
public enum WebUIAccounts: Equatable, Sendable {
    case exist
    case none
    case unknown(String)
}

extension StepContext {
    /// Asked once per run: group membership does not change while phase0 runs.
    var docker: DockerAccess {
        if let known = memo["dockerAccess"] { return known == "direct" ? .direct : .sudo }
        let found = Probe.dockerAccess(host)
        memo["dockerAccess"] = found == .direct ? "direct" : "sudo"
        return found
    }
}

extension Probe {
    /// Direct when the operator's own docker answers, or they are in the docker group (the
    /// daemon may just be down); sudo otherwise, also when that cannot be told (sudo works
    /// either way, only with a password asked).
    public static func dockerAccess(_ host: Host) -> DockerAccess {
        if host.invoker == "root" { return .direct }
        if host.probe(["docker", "info", "--format", "{{.ServerVersion}}"]).value != nil { return .direct }
        let groups = host.probe(["id", "-nG", host.invoker]).value?.split(whereSeparator: { $0 == " " || $0 == "\n" }) ?? []
        return groups.contains("docker") ? .direct : .sudo
    }

    /// The scripts the guide runs as the agent: only one instance may hold the GPU.
    public static let agentScripts = ["tui.py", "web_serve.py"]

    /// tui.py or web_serve.py processes not in `unit`'s cgroup (run by hand, or by something
    /// else), never phase0 itself or one of its ancestors; unknown when `ps` cannot be run.
    public static func agentProcesses(_ host: Host, outsideUnit unit: String) -> Lookup<[AgentProcess]> {
        host.probe(["ps", "-eo", "pid=,user:32=,args="]).map { agentProcesses(host, listing: $0, outsideUnit: unit) }
    }

    static func agentProcesses(_ host: Host, listing: String, outsideUnit unit: String) -> [AgentProcess] {
        let mine = Set(host.selfProcess.ancestors)
        var found: [AgentProcess] = []
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count == 3, let pid = Int(fields[0]), !mine.contains(pid) else { continue }
            let argv = fields[2].split(separator: " ").map(String.init)
            guard let script = agentScript(argv) else { continue }
            let cgroup = host.readFile("/proc/\(pid)/cgroup") ?? ""
            if cgroup.contains("/" + unit) { continue }
            // `user:32=` pads the user to 32 columns: the command line starts after the padding.
            let commandLine = String(fields[2].drop { $0 == " " })
            found.append(AgentProcess(pid: pid, user: String(fields[1]), commandLine: commandLine, script: script))
        }
        return found
    }

    /// "tui.py" for `python .../tui.py` or `.../tui.py`; nil for anything else (an editor
    /// opening tui.py is not the agent).
    static func agentScript(_ argv: [String]) -> String? {
        guard let program = argv.first?.split(separator: "/").last.map(String.init) else { return nil }
        if agentScripts.contains(program) { return program }
        guard program.hasPrefix("python") else { return nil }
        guard let script = argv.dropFirst().first(where: { !$0.hasPrefix("-") })?.split(separator: "/").last.map(String.init) else {
            return nil
        }
        return agentScripts.contains(script) ? script : nil
    }

    public static func webuiAccounts(_ host: Host, port: String) -> WebUIAccounts {
        guard let text = host.probe(["curl", "-fsS", "--max-time", "5", "http://127.0.0.1:\(port)/api/config"], timeout: 15).value else {
            return .unknown("http://127.0.0.1:\(port)/api/config does not answer")
        }
        guard case .object(let config)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            return .unknown("http://127.0.0.1:\(port)/api/config did not answer with Open WebUI's configuration")
        }
        return config["onboarding"] == .bool(true) ? .none : .exist
    }

    /// MemAvailable under this is "memory full": no advice may load another model then.
    public static let fullMemoryKiB: Int64 = 8 * 1024 * 1024

    public static func memoryIsFull(_ host: Host) -> Bool {
        guard let mem = try? MemInfo.read(host) else { return true }  // cannot tell: the safe side
        return mem.memAvailableKiB < fullMemoryKiB
    }
}
