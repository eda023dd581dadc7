import Phase0Parsers
import Phase0Core
/// The guide's prerequisites (phase0-preflight.sh in its words, DESIGN.md §1), checked
/// read-only, live or on the simulated Spark. Required checks fail the preflight; optional ones
/// (the Docker daemon, a connected tailscale, mosh) only say what a later step will do.
public enum PreflightChecks {
    public enum Status: String, Encodable { case pass, fail, optional, info }

    public struct Result: Encodable, Equatable {
        public var name: String
        public var status: Status
        public var detail: String
    }

    /// The guide's defaults; saved answers take their place when there are any.
    public static var defaults: [String: String] { GuideDefaults.values() }

    public static func run(host: Host, answers: [String: String]) -> [Result] {
        let values = GuideDefaults.values(for: answers).merging(answers) { _, saved in saved }
        func value(_ key: String) -> String { values[key] ?? "" }
        var results: [Result] = []
        func add(_ name: String, _ ok: Bool, _ detail: String, required: Bool = true) {
            results.append(Result(name: name, status: ok ? .pass : (required ? .fail : .optional), detail: detail))
        }

        // The account and the machine.
        let user = value("user")
        let account = host.lookupUser(user)
        add("user \(user)", account != nil, account.map { "uid \($0.uid), home \($0.home)" } ?? "no such user")
        let home = answers["home"] ?? account?.home ?? value("home")
        add("home \(home)", host.fileInfo(home)?.isDirectory == true, host.fileInfo(home)?.isDirectory == true ? "" : "not a directory")
        let pid1 = host.readFile("/proc/1/comm")?.trimmingWhitespace() ?? "unknown"
        add("systemd is PID 1", pid1 == "systemd", "PID 1 is \(pid1)")

        // Memory: the guide's hard gate, now and after a reboot.
        let figures = SwapGate.figures(host, swapfile: answers["swapfile"])
        add("swap >= 64G", figures.passes, "\(SwapGate.size(kiB: figures.now.totalKiB)) now, \(SwapGate.size(kiB: figures.afterReboot.totalKiB)) after a reboot"
            + (figures.passes ? "" : "; Step 0 expands it"))
        if let mem = try? MemInfo.parse(host.readFile("/proc/meminfo") ?? "") {
            results.append(Result(name: "MemAvailable", status: .info, detail: "\(ByteSize.human(kiB: mem.memAvailableKiB)) of \(ByteSize.human(kiB: mem.memTotalKiB)); SwapFree \(ByteSize.human(kiB: mem.swapFreeKiB))"))
        }

        // The agent.
        let repo = value("repoDir"), agent = value("agentDir")
        add("repo \(repo)", host.fileInfo(repo)?.isDirectory == true, "")
        add("agent directory \(agent)", host.fileInfo(agent)?.isDirectory == true, "")
        for file in ["tui.py", "agent.py", "config.yaml"] {
            add("\(agent)/\(file)", host.fileExists("\(agent)/\(file)"), "")
        }
        let python = value("venvPython")
        let version = host.output([python, "--version"], runAs: account == nil ? .invoker : .user(user))?.trimmingWhitespace()
        add("venv python \(python)", version != nil, version ?? (host.fileExists(python) ? "exists but does not run" : "missing"))

        // Ollama.
        add("ollama installed", host.hasProgram("ollama"), "")
        let ollamaUnit = value("ollamaUnit")
        let state = Probe.unitState(host, ollamaUnit)
        add("\(ollamaUnit) active", state == "active", state == "active" ? "" : "systemctl is-active: \(state)")
        let url = value("ollamaURL")
        let tags = Probe.ollamaTags(host, url: url)
        add("Ollama API at \(url)", tags != nil, tags == nil ? "no answer from \(url)/api/tags" : "answers")
        let model = value("model")
        let models = tags.map(Probe.modelNames(inTags:)) ?? []
        // Never advise pulling or creating a model here: memory is the running model's.
        add("model \(model) present", models.contains(model), tags == nil ? "the API does not answer"
            : "models: " + (models.isEmpty ? "none" : models.joined(separator: ", "))
                + (models.contains(model) ? "" : "; phase0 asks which one the agent uses (Step 2)"))

        // The tools of Steps 1–4.
        add("tmux installed", host.hasProgram("tmux"), "")
        add("curl installed", host.hasProgram("curl"), "the unit waits for Ollama's API with curl")
        add("docker installed", host.hasProgram("docker"), host.hasProgram("docker") ? "" : "DGX OS ships docker-ce (Docker's repository) with NVIDIA's container toolkit; see Step 3")
        let daemon = host.hasProgram("docker")
            ? Probe.docker(host, ["info", "--format", "{{.ServerVersion}}"]).flatMap { $0.succeeded ? $0.output.trimmingWhitespace() : nil } : nil
        add("docker daemon answers", daemon.map { !$0.isEmpty } ?? false, daemon.map { "server \($0)" } ?? "not answering; Step 3 needs it", required: false)
        if host.hasProgram("docker") {
            let direct = Probe.dockerAccess(host) == .direct
            results.append(Result(name: "docker without sudo", status: .info,
                                  detail: direct ? "yes: phase0 and `phase0 reference` run docker as \(host.invoker)" : "no (not in the docker group): phase0 and `phase0 reference` use sudo docker"))
        }
        add("tailscale installed", host.hasProgram("tailscale"), "")
        switch host.hasProgram("tailscale") ? Probe.tailscaleStatus(host) : .failure(.init("not installed")) {
        case .success(let status):
            add("tailscale connected", status.connected, status.connected ? (status.dnsName ?? "") : "state \(status.backendState); Step 4 asks you to connect", required: false)
            add("tailscale HTTPS enabled", status.httpsEnabled, status.httpsEnabled ? "" : "Step 4 asks you to enable it", required: false)
        case .failure(let failure):
            add("tailscale connected", false, failure.reason, required: false)
        }
        let mosh = Probe.moshVersion(host)
        add("mosh installed", mosh != nil, mosh ?? "optional; Step 1 installs it", required: false)

        // The network: apt, the image pull and tailscale need a way out.
        let route = host.output(["ip", "route", "show", "default"])?.trimmingWhitespace() ?? ""
        add("network (default route)", !route.isEmpty, route.isEmpty ? "no default route" : route)
        return results
    }
}
