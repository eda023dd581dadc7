/// The guide's prerequisites (phase0-preflight.sh in its words), checked read-only.
public enum PreflightChecks {
    public enum Status: String, Encodable { case pass, fail, optional, info }

    public struct Result: Encodable, Equatable {
        public var name: String
        public var status: Status
        public var detail: String
    }

    /// The guide's defaults; saved answers take their place when there are any.
    public static let defaults: [String: String] = [
        "user": "vybnz69", "home": "/home/vybnz69", "repoDir": "/home/vybnz69/Vybn",
        "agentDir": "/home/vybnz69/Vybn/spark", "venvPython": "/home/vybnz69/.venv/spark/bin/python",
        "ollamaUnit": "ollama.service", "ollamaURL": "http://127.0.0.1:11434", "model": "vybn:latest",
    ]

    public static func run(host: Host, answers: [String: String]) -> [Result] {
        func value(_ key: String) -> String { answers[key] ?? defaults[key] ?? "" }
        var results: [Result] = []
        func add(_ name: String, _ ok: Bool, _ detail: String, required: Bool = true) {
            results.append(Result(name: name, status: ok ? .pass : (required ? .fail : .optional), detail: detail))
        }
        let user = value("user")
        let account = host.lookupUser(user)
        add("user \(user)", account != nil, account.map { "home \($0.home)" } ?? "no such user")
        let home = account?.home ?? value("home")
        add("home \(home)", host.fileInfo(home)?.isDirectory == true, "")
        let pid1 = host.readFile("/proc/1/comm")?.trimmingWhitespace() ?? "unknown"
        add("systemd is PID 1", pid1 == "systemd", "PID 1 is \(pid1)")
        let verdict = SwapGate.evaluate((try? ProcSwaps.parse(host.readFile("/proc/swaps") ?? "")) ?? [])
        add("swap >= 64G", verdict.passes, "\(ByteSize.human(kiB: verdict.totalKiB)) now" + (verdict.passes ? "" : "; Step 0 expands it"))
        if let mem = try? MemInfo.parse(host.readFile("/proc/meminfo") ?? "") {
            results.append(Result(name: "MemAvailable", status: .info, detail: "\(ByteSize.human(kiB: mem.memAvailableKiB)) of \(ByteSize.human(kiB: mem.memTotalKiB)); SwapFree \(ByteSize.human(kiB: mem.swapFreeKiB))"))
        }
        let repo = value("repoDir"), agent = value("agentDir")
        add("repo \(repo)", host.fileInfo(repo)?.isDirectory == true, "")
        add("agent directory \(agent)", host.fileInfo(agent)?.isDirectory == true, "")
        for file in ["tui.py", "agent.py", "config.yaml"] {
            add("\(agent)/\(file)", host.fileExists("\(agent)/\(file)"), "")
        }
        let python = value("venvPython")
        let version = host.output([python, "--version"], runAs: account == nil ? .invoker : .user(user))?.trimmingWhitespace()
        add("venv python \(python)", version != nil, version ?? (host.fileExists(python) ? "exists but does not run" : "missing"))
        add("ollama installed", host.hasProgram("ollama"), "")
        let ollamaUnit = value("ollamaUnit")
        add("\(ollamaUnit) active", host.succeeds(["systemctl", "is-active", "--quiet", ollamaUnit]), "")
        let url = value("ollamaURL")
        let tags = host.output(["curl", "-fsS", "--max-time", "5", "\(url)/api/tags"])
        add("Ollama API at \(url)", tags != nil, tags == nil ? "no answer" : "answers")
        let model = value("model")
        add("model \(model) present", tags?.contains("\"\(model)\"") == true, "")
        add("tmux installed", host.hasProgram("tmux"), "")
        add("docker installed", host.hasProgram("docker"), "")
        add("docker daemon answers", host.succeeds(["docker", "info", "--format", "{{.ServerVersion}}"], runAs: .root), "", required: false)
        add("tailscale installed", host.hasProgram("tailscale"), "")
        add("tailscale connected", host.output(["tailscale", "status", "--json"])?.contains("\"BackendState\": \"Running\"") == true
            || host.output(["tailscale", "status", "--json"])?.contains("\"BackendState\":\"Running\"") == true, "", required: false)
        add("mosh installed", host.hasProgram("mosh-server") || host.hasProgram("mosh"), "Step 1 installs it", required: false)
        add("curl installed", host.hasProgram("curl"), "the unit waits for Ollama's API with curl")
        add("network (default route)", host.output(["ip", "route", "show", "default"])?.isEmpty == false, "", required: false)
        return results
    }
}
