import Phase0Core
import Phase0Parsers

/// The network flows of `phase0 troubleshoot`: Open WebUI reaching Ollama, and Tailscale Serve.
extension Troubleshooting {
    // MARK: - Open WebUI can't reach Ollama

    static func webui(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        let container = a.webuiContainer
        guard host.hasProgram("docker") else {
            return [Finding(.problem, "docker is not installed", seen: "no docker on PATH", todo: OpenWebUIStep.dockerMissing)]
        }
        let docker = Probe.dockerAccess(host).prefix + "docker"
        switch Probe.containerRunning(host, container) {
        case .absent:
            findings.append(
                Finding(
                    .problem, "No container \(container)", seen: "docker inspect \(container): no such container",
                    todo: "Run phase0 (Step 3 creates it)."))
            return findings + ollamaFindings(host, a)
        case .unknown(let why):
            // Say what docker said: no daemon, or no permission (docker group), never "no container".
            findings.append(
                Finding(
                    .problem, "Cannot tell whether container \(container) exists", seen: why,
                    todo: "If the daemon does not answer: sudo systemctl status docker; without sudo, your user needs the docker group"))
            return findings + ollamaFindings(host, a)
        case .found(false):
            findings.append(
                Finding(
                    .problem, "\(container) exists but is stopped", seen: "State.Running is false",
                    todo: "\(docker) start \(container); then \(docker) logs \(container)"))
            return findings + ollamaFindings(host, a)
        case .found(true):
            findings.append(Finding(.ok, "\(container) is running", seen: "docker inspect \(container): running"))
        }

        let health = "http://127.0.0.1:\(a.webuiPort)/health"
        if host.succeeds(["curl", "-fsS", "--max-time", "5", health], timeout: 15) {
            findings.append(Finding(.ok, "Open WebUI answers", seen: "curl \(health): ok"))
        } else {
            findings.append(
                Finding(
                    .problem, "Open WebUI does not answer on 127.0.0.1:\(a.webuiPort)", seen: "curl \(health) failed",
                    todo: "It takes about a minute to start; else: \(docker) logs \(container)"))
        }

        let mode = Probe.dockerInspect(host, container, "{{.HostConfig.NetworkMode}}").value ?? "unknown"
        let hostNetwork = mode == "host"
        let url = hostNetwork ? a.ollamaURL : "http://host.docker.internal:\(a.ollamaPort)"
        let fromInside = Probe.docker(host, ["exec", container, "curl", "-s", "--max-time", "5", url + "/api/tags"], timeout: 20)
        let reached = fromInside.value?.contains("\"models\"") == true
        let addresses = Probe.listeners(host, port: a.ollamaPort).value?.map(\.address)
        let loopbackOnly = addresses.map { !$0.isEmpty && $0.allSatisfy(Listener.isLoopback) } ?? false
        if reached {
            findings.append(
                Finding(
                    .ok, "Ollama is reachable from the container",
                    seen: "docker exec \(container) curl -s \(url)/api/tags: answers (network mode \(mode))"))
        } else {
            var seen =
                "docker exec \(container) curl -s \(url)/api/tags: "
                + fromInside.describe(absent: "no such container") { Probe.firstLine($0) ?? "no models list" }
            seen += " (network mode \(mode))"
            if !hostNetwork && loopbackOnly {
                seen +=
                    "\nOllama listens on \(addresses!.joined(separator: ", ")) only, so the host-gateway route (host.docker.internal) is refused"
                findings.append(
                    Finding(
                        .problem, "Open WebUI cannot reach Ollama: Ollama listens on loopback only", seen: seen,
                        todo:
                            "Recreate Open WebUI in host-network mode, still loopback-only (phase0 Step 3 offers it):\n--network=host -e HOST=127.0.0.1 -e PORT=\(a.webuiPort) -e OLLAMA_BASE_URL=\(a.ollamaURL)\nMaking Ollama listen on 0.0.0.0 instead (OLLAMA_HOST) would expose it to your whole network."
                    ))
            } else {
                findings.append(
                    Finding(
                        .problem, "Open WebUI cannot reach Ollama", seen: seen,
                        todo: "Check Docker networking and that Ollama runs (below); the container's OLLAMA_BASE_URL must be \(url)."))
            }
        }
        if let addresses, reached || hostNetwork || !loopbackOnly {
            findings.append(
                Finding(
                    .info, "Where Ollama listens",
                    seen: addresses.isEmpty ? "nothing listens on port \(a.ollamaPort)" : addresses.joined(separator: ", ")))
        }
        return findings + ollamaFindings(host, a)
    }

    // MARK: - Tailscale Serve not working

    static func tailscale(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        let status: TailscaleStatus
        switch Probe.tailscaleStatus(host) {
        case .absent:
            return [
                Finding(
                    .problem, "tailscale is not installed", seen: "no tailscale on PATH",
                    todo: "Install Tailscale (https://tailscale.com/download/linux), then sudo tailscale up")
            ]
        case .unknown(let why):
            return [
                Finding(.problem, "tailscale does not answer", seen: why, todo: "sudo systemctl start tailscaled; then sudo tailscale up")
            ]
        case .found(let value): status = value
        }
        if status.connected {
            findings.append(
                Finding(.ok, "Connected to the tailnet", seen: "BackendState Running" + (status.dnsName.map { " as \($0)" } ?? "")))
        } else {
            findings.append(
                Finding(
                    .problem, "Not connected to the tailnet", seen: "BackendState \(status.backendState)",
                    todo: "sudo tailscale up, and open the login link it prints" + (status.authURL.map { " (\($0))" } ?? "")))
        }
        if status.httpsEnabled {
            findings.append(
                Finding(.ok, "HTTPS is enabled for the tailnet", seen: "certificate domains: \(status.certDomains.joined(separator: ", "))")
            )
        } else {
            findings.append(
                Finding(
                    .problem, "HTTPS is not enabled for the tailnet",
                    seen: status.hasHTTPSCapability ? "CertDomains is empty" : "Self.CapMap has no \"https\"",
                    todo:
                        "Enable it in the admin panel: https://login.tailscale.com/admin/dns (HTTPS Certificates). Until then serve prints an enable link and serves nothing."
                ))
        }

        let serve = Probe.serveConfig(host)
        switch serve {
        case .absent, .unknown:
            findings.append(
                Finding(.problem, "Serve status cannot be read", seen: serve.unknownReason ?? "no answer", todo: "tailscale serve status"))
        case .found(let config):
            if config.proxiesToLocalPort(a.webuiPort), let served = config.httpsProxy() {
                findings.append(Finding(.ok, "Serve proxies to Open WebUI", seen: "https://\(served.host) -> \(served.target)"))
            } else if let served = config.httpsProxy() {
                findings.append(
                    Finding(
                        .problem, "Serve proxies somewhere else", seen: "https://\(served.host) -> \(served.target)",
                        todo:
                            "Once Open WebUI has its first account (never before): sudo tailscale serve --bg \(a.webuiPort), or run phase0 (Step 4 checks the account first)"
                    ))
            } else {
                findings.append(
                    Finding(
                        .problem, "Serve is not enabled: nothing is served", seen: "tailscale serve status --json: no HTTPS proxy",
                        todo:
                            "Once Open WebUI has its first account (never before): sudo tailscale serve --bg \(a.webuiPort), or run phase0 (Step 4 checks the account first)"
                    ))
            }
        }
        if let text = host.probe(["tailscale", "serve", "status"]).value {
            findings.append(Finding(.info, "tailscale serve status", seen: text.trimmingWhitespace()))
        }
        if !host.succeeds(["curl", "-fsS", "--max-time", "5", "http://127.0.0.1:\(a.webuiPort)/health"], timeout: 15) {
            findings.append(
                Finding(
                    .problem, "Serve's target does not answer", seen: "http://127.0.0.1:\(a.webuiPort)/health: no answer",
                    todo: "phase0 troubleshoot webui"))
        }
        findings.append(
            Finding(
                .info, "The phone must be on the same tailnet",
                seen: "open the Tailscale app on the phone, signed in to the same tailnet, connected",
                todo: status.serveURL.map { "Then open \($0)" }))
        return findings
    }
}
