import Phase0Core
import Phase0Parsers

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

    public static func run(host: Host, answers: [String: String]) -> [Result] {
        // Saved answers where there are any, the table's defaults otherwise.
        func value(_ key: AnswerKey) -> String { key.value(in: answers) ?? "" }
        var results: [Result] = []
        func add(_ name: String, _ ok: Bool, _ detail: String, required: Bool = true) {
            results.append(Result(name: name, status: ok ? .pass : (required ? .fail : .optional), detail: detail))
        }

        // The account and the machine.
        let user = value(.user)
        let account = host.lookupUser(user)
        add("user \(user)", account != nil, account.map { "uid \($0.uid), home \($0.home)" } ?? "no such user")
        let home = answers[AnswerKey.home.rawValue] ?? account?.home ?? value(.home)
        add("home \(home)", host.fileInfo(home)?.isDirectory == true, host.fileInfo(home)?.isDirectory == true ? "" : "not a directory")
        let pid1 = host.lookupFile("/proc/1/comm")
        add(
            "systemd is PID 1", pid1.value?.trimmingWhitespace() == "systemd",
            "PID 1 is " + pid1.describe(absent: "unknown") { $0.trimmingWhitespace() })

        // Memory: the guide's hard gate, now and after a reboot (what cannot be read fails it, and says why).
        let figures = SwapGate.figures(host, swapfile: answers["swapfile"])
        add(
            "swap >= 64G", figures.passes,
            "\(SwapGate.size(kiB: figures.now.totalKiB)) now, \(SwapGate.size(kiB: figures.afterReboot.totalKiB)) after a reboot"
                + (figures.passes ? "" : "; Step 0 expands it") + (figures.problem.map { " (\($0))" } ?? ""))
        do {
            let mem = try MemInfo.read(host)
            results.append(
                Result(
                    name: "MemAvailable", status: .info,
                    detail:
                        "\(ByteSize.human(kiB: mem.memAvailableKiB)) of \(ByteSize.human(kiB: mem.memTotalKiB)); SwapFree \(ByteSize.human(kiB: mem.swapFreeKiB))"
                ))
        } catch {
            results.append(Result(name: "MemAvailable", status: .info, detail: "\(error)"))
        }

        // The agent.
        let repo = value(.repoDir)
        let agent = value(.agentDir)
        add("repo \(repo)", host.fileInfo(repo)?.isDirectory == true, "")
        add("agent directory \(agent)", host.fileInfo(agent)?.isDirectory == true, "")
        for file in ["tui.py", "agent.py", "config.yaml"] {
            add("\(agent)/\(file)", host.fileExists("\(agent)/\(file)"), "")
        }
        let python = value(.venvPython)
        let version = host.probe([python, "--version"], runAs: account == nil ? .invoker : .user(user))
        add(
            "venv python \(python)", version.value != nil,
            version.value?.trimmingWhitespace()
                ?? (host.fileExists(python) ? "exists but does not run: \(version.unknownReason ?? "")" : "missing"))

        // Ollama.
        add("ollama installed", host.hasProgram("ollama"), "")
        let ollamaUnit = value(.ollamaUnit)
        let state = Probe.unitActive(host, ollamaUnit)
        add(
            "\(ollamaUnit) active", state == .found("active"),
            state == .found("active") ? "" : "systemctl is-active: " + state.describe(absent: "no such unit") { $0 })
        let url = value(.ollamaURL)
        let tags = Probe.ollamaTags(host, url: url).value
        add("Ollama API at \(url)", tags != nil, tags == nil ? "no answer from \(url)/api/tags" : "answers")
        let model = value(.model)
        let models = tags.map(Probe.modelNames(inTags:)) ?? []
        // Never advise pulling or creating a model here: memory is the running model's.
        add(
            "model \(model) present", models.contains(model),
            tags == nil
                ? "the API does not answer"
                : "models: " + (models.isEmpty ? "none" : models.joined(separator: ", "))
                    + (models.contains(model) ? "" : "; phase0 asks which one the agent uses (Step 2)"))

        // The tools of Steps 1–4.
        add("tmux installed", host.hasProgram("tmux"), "")
        add("curl installed", host.hasProgram("curl"), "the unit waits for Ollama's API with curl")
        add(
            "docker installed", host.hasProgram("docker"),
            host.hasProgram("docker") ? "" : "DGX OS ships docker-ce (Docker's repository) with NVIDIA's container toolkit; see Step 3")
        let daemon =
            host.hasProgram("docker")
            ? Probe.docker(host, ["info", "--format", "{{.ServerVersion}}"]).map { $0.trimmingWhitespace() } : .absent
        add(
            "docker daemon answers", !(daemon.value ?? "").isEmpty,
            daemon.describe(absent: "docker is not installed; Step 3 needs it") { "server \($0)" }, required: false)
        if host.hasProgram("docker") {
            let direct = Probe.dockerAccess(host) == .direct
            results.append(
                Result(
                    name: "docker without sudo", status: .info,
                    detail: direct
                        ? "yes: phase0 and `phase0 reference` run docker as \(host.invoker)"
                        : "no (not in the docker group): phase0 and `phase0 reference` use sudo docker"))
        }
        add("tailscale installed", host.hasProgram("tailscale"), "")
        switch Probe.tailscaleStatus(host) {
        case .found(let status):
            add(
                "tailscale connected", status.connected,
                status.connected ? (status.dnsName ?? "") : "state \(status.backendState); Step 4 asks you to connect", required: false)
            add("tailscale HTTPS enabled", status.httpsEnabled, status.httpsEnabled ? "" : "Step 4 asks you to enable it", required: false)
        case .absent:
            add("tailscale connected", false, "tailscale is not installed", required: false)
        case .unknown(let why):
            add("tailscale connected", false, why, required: false)
        }
        let mosh = Probe.moshVersion(host)
        add("mosh installed", mosh != nil, mosh ?? "optional; Step 1 installs it", required: false)

        // The network: apt, the image pull and tailscale need a way out.
        let route = host.probe(["ip", "route", "show", "default"]).map { $0.trimmingWhitespace() }
        add("network (default route)", !(route.value ?? "").isEmpty, route.describe(absent: "") { $0.isEmpty ? "no default route" : $0 })
        return results
    }
}
