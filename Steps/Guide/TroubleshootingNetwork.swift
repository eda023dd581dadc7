import Phase0Parsers
import Phase0Core
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
        case nil:
            // Say what docker said: no such container, no daemon, or no permission (docker group).
            let said = Probe.docker(host, ["inspect", "--format", "{{.Name}}", container]).flatMap { Probe.firstLine($0.output) } ?? "no answer"
            findings.append(Finding(.problem, "No container \(container)", seen: "docker inspect \(container): \(said)",
                                    todo: "Run phase0 (Step 3 creates it); if the daemon does not answer: sudo systemctl status docker"))
            return findings + ollamaFindings(host, a)
        case false?:
            findings.append(Finding(.problem, "\(container) exists but is stopped", seen: "State.Running is false",
                                    todo: "\(docker) start \(container); then \(docker) logs \(container)"))
            return findings + ollamaFindings(host, a)
        case true?:
            findings.append(Finding(.ok, "\(container) is running", seen: "docker inspect \(container): running"))
        }

        let health = "http://127.0.0.1:\(a.webuiPort)/health"
        if host.succeeds(["curl", "-fsS", "--max-time", "5", health], timeout: 15) {
            findings.append(Finding(.ok, "Open WebUI answers", seen: "curl \(health): ok"))
        } else {
            findings.append(Finding(.problem, "Open WebUI does not answer on 127.0.0.1:\(a.webuiPort)", seen: "curl \(health) failed",
                                    todo: "It takes about a minute to start; else: \(docker) logs \(container)"))
        }

        let mode = Probe.dockerInspect(host, container, "{{.HostConfig.NetworkMode}}") ?? "unknown"
        let hostNetwork = mode == "host"
        let url = hostNetwork ? a.ollamaURL : "http://host.docker.internal:\(a.ollamaPort)"
        let fromInside = Probe.docker(host, ["exec", container, "curl", "-s", "--max-time", "5", url + "/api/tags"], timeout: 20)
        let reached = fromInside?.succeeded == true && fromInside?.output.contains("\"models\"") == true
        let addresses = Probe.listenAddresses(host, port: a.ollamaPort)
        let loopbackOnly = addresses.map { !$0.isEmpty && $0.allSatisfy(Probe.isLoopbackAddress) } ?? false
        if reached {
            findings.append(Finding(.ok, "Ollama is reachable from the container", seen: "docker exec \(container) curl -s \(url)/api/tags: answers (network mode \(mode))"))
        } else {
            var seen = "docker exec \(container) curl -s \(url)/api/tags: " + (fromInside.map { Probe.firstLine($0.output) ?? "exit \($0.exitStatus)" } ?? "could not run")
            seen += " (network mode \(mode))"
            if !hostNetwork && loopbackOnly {
                seen += "\nOllama listens on \(addresses!.joined(separator: ", ")) only, so the host-gateway route (host.docker.internal) is refused"
                findings.append(Finding(.problem, "Open WebUI cannot reach Ollama: Ollama listens on loopback only", seen: seen,
                                        todo: "Recreate Open WebUI in host-network mode, still loopback-only (phase0 Step 3 offers it):\n--network=host -e HOST=127.0.0.1 -e PORT=\(a.webuiPort) -e OLLAMA_BASE_URL=\(a.ollamaURL)\nMaking Ollama listen on 0.0.0.0 instead (OLLAMA_HOST) would expose it to your whole network."))
            } else {
                findings.append(Finding(.problem, "Open WebUI cannot reach Ollama", seen: seen,
                                        todo: "Check Docker networking and that Ollama runs (below); the container's OLLAMA_BASE_URL must be \(url)."))
            }
        }
        if let addresses, reached || hostNetwork || !loopbackOnly {
            findings.append(Finding(.info, "Where Ollama listens", seen: addresses.isEmpty ? "nothing listens on port \(a.ollamaPort)" : addresses.joined(separator: ", ")))
        }
        return findings + ollamaFindings(host, a)
    }

    // MARK: - Tailscale Serve not working

    static func tailscale(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        let status: TailscaleStatus
        switch Probe.tailscaleStatus(host) {
        case .failure(let failure):
            let installed = host.hasProgram("tailscale")
            return [Finding(.problem, installed ? "tailscale does not answer" : "tailscale is not installed", seen: failure.reason,
                            todo: installed ? "sudo systemctl start tailscaled; then sudo tailscale up" : "Install Tailscale (https://tailscale.com/download/linux), then sudo tailscale up")]
        case .success(let value): status = value
        }
        if status.connected {
            findings.append(Finding(.ok, "Connected to the tailnet", seen: "BackendState Running" + (status.dnsName.map { " as \($0)" } ?? "")))
        } else {
            findings.append(Finding(.problem, "Not connected to the tailnet", seen: "BackendState \(status.backendState)",
                                    todo: "sudo tailscale up, and open the login link it prints" + (status.authURL.map { " (\($0))" } ?? "")))
        }
        if status.httpsEnabled {
            findings.append(Finding(.ok, "HTTPS is enabled for the tailnet", seen: "certificate domains: \(status.certDomains.joined(separator: ", "))"))
        } else {
            findings.append(Finding(.problem, "HTTPS is not enabled for the tailnet",
                                    seen: status.hasHTTPSCapability ? "CertDomains is empty" : "Self.CapMap has no \"https\"",
                                    todo: "Enable it in the admin panel: https://login.tailscale.com/admin/dns (HTTPS Certificates). Until then serve prints an enable link and serves nothing."))
        }

        switch Probe.serveConfig(host) {
        case .failure(let failure):
            findings.append(Finding(.problem, "Serve status cannot be read", seen: failure.reason, todo: "tailscale serve status"))
        case .success(let config):
            if config.proxiesToLocalPort(a.webuiPort), let served = config.httpsProxy() {
                findings.append(Finding(.ok, "Serve proxies to Open WebUI", seen: "https://\(served.host) -> \(served.target)"))
            } else if let served = config.httpsProxy() {
                findings.append(Finding(.problem, "Serve proxies somewhere else", seen: "https://\(served.host) -> \(served.target)",
                                        todo: "Once Open WebUI has its first account (never before): sudo tailscale serve --bg \(a.webuiPort), or run phase0 (Step 4 checks the account first)"))
            } else {
                findings.append(Finding(.problem, "Serve is not enabled: nothing is served", seen: "tailscale serve status --json: no HTTPS proxy",
                                        todo: "Once Open WebUI has its first account (never before): sudo tailscale serve --bg \(a.webuiPort), or run phase0 (Step 4 checks the account first)"))
            }
        }
        if let text = host.output(["tailscale", "serve", "status"]) {
            findings.append(Finding(.info, "tailscale serve status", seen: text.trimmingWhitespace()))
        }
        if !host.succeeds(["curl", "-fsS", "--max-time", "5", "http://127.0.0.1:\(a.webuiPort)/health"], timeout: 15) {
            findings.append(Finding(.problem, "Serve's target does not answer", seen: "http://127.0.0.1:\(a.webuiPort)/health: no answer",
                                    todo: "phase0 troubleshoot webui"))
        }
        findings.append(Finding(.info, "The phone must be on the same tailnet",
                                seen: "open the Tailscale app on the phone, signed in to the same tailnet, connected",
                                todo: status.serveURL.map { "Then open \($0)" }))
        return findings
    }
}
