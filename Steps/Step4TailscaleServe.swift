import Phase0Core
import Phase0Parsers

/// Step 4: expose Open WebUI to the tailnet with Tailscale Serve (HTTPS, tailnet only).
/// The pitfall: with HTTPS not enabled for the tailnet, `tailscale serve --bg PORT` prints an
/// enable URL and may block or exit 0 without serving. So HTTPS is checked first (the
/// operator enables it in the admin console), serve runs under a timeout, and the result is
/// verified from `tailscale serve status --json`, never from serve's exit status.
enum TailscaleServeStep {
    static let adminDNSPage = "https://login.tailscale.com/admin/dns"
    static let serveTimeout = 30

    static func make() -> Step {
        Step(
            number: 4,
            title: "Expose Open WebUI via Tailscale Serve",
            why: """
                Why: Tailscale Serve gives Open WebUI an HTTPS address on your tailnet, e.g.
                https://spark-2b7c.<tailnet>.ts.net, reachable from your phone wherever it is, and from
                nothing outside the tailnet. Open WebUI itself stays bound to 127.0.0.1. Serve needs HTTPS
                certificates enabled for the tailnet (once, in the admin console).
                """,
            manual: """
                1. Enable HTTPS in Tailscale admin: \(adminDNSPage)
                2. On the Spark:
                   tailscale serve --bg 3000
                3. From phone (on Tailscale): open https://spark-2b7c.<tailnet>.ts.net
                """,
            report: report,
            actions: [owner, connected, httpsEnabled, serve],
            verify: verify,
            gate: SwapGate.gate
        )
    }

    /// Open WebUI's local port: Step 3's answer, else the guide's 3000.
    static func port(_ ctx: StepContext) throws -> String {
        try AnswerKey.webuiPort.checked(given: ctx.answerIfGiven)
    }

    static func report(_ ctx: StepContext) -> [String] {
        switch Probe.tailscaleStatus(ctx.host) {
        case .absent: return ["Tailscale: not installed"]
        case .unknown(let why): return ["Tailscale: \(why)"]
        case .found(let status):
            var lines = [
                "Tailscale: \(status.backendState)" + (status.dnsName.map { " as \($0)" } ?? "")
                    + "; HTTPS for the tailnet " + (status.httpsEnabled ? "enabled" : "not enabled")
            ]
            if let config = Probe.serveConfig(ctx.host).value {
                lines.append("Serve now: " + (config.httpsProxy().map { "https://\($0.host) -> \($0.target)" } ?? "nothing served"))
            }
            return lines
        }
    }

    // MARK: - Actions

    static func ownerCheck(_ ctx: StepContext) throws -> Check {
        let port = try port(ctx)
        let label = "Open WebUI has an owner"
        switch Probe.webuiAccounts(ctx.host, port: port) {
        case .exist: return Check(true, label, "an account exists (the first one is the admin)")
        case .none: return Check(false, label, "no account yet: whoever reaches the page first would become its admin")
        case .unknown(let why): return Check(false, label, "cannot tell whether an account exists (\(why)), so the page is not exposed")
        }
    }

    /// Never expose a page nobody owns: the first account registered becomes the admin. Waits
    /// for the operator; with -y (nobody to register) the run stops here, with the way in.
    static var owner: Action {
        Action(
            id: "webui-owner",
            title: "Open WebUI has its first account (before anything is exposed)",
            why:
                "Open WebUI makes the first account registered its admin. tailscale serve would let anyone on the tailnet reach the page, so it runs only once an account exists.",
            kind: .operatorTask { ctx in
                OpenWebUIStep.ownerInstruction(ctx, port: (try? port(ctx)) ?? ctx.answerOrDefault(.webuiPort) ?? "")
                    + ctx.practiceHint("registers the first account (it becomes admin)")
            },
            check: { ctx in try ownerCheck(ctx) }
        )
    }

    static var connected: Action {
        Action(
            id: "tailscale-connected",
            title: "Connect the Spark to your tailnet",
            why: "Serve publishes on the tailnet; a Spark that is logged out or stopped has no tailnet address to serve on.",
            kind: .operatorTask { ctx in
                var text =
                    "Tailscale is not connected here. In another terminal on the Spark run:\n  sudo tailscale up\nand open the login link it prints (on any device), then come back."
                if let url = Probe.tailscaleStatus(ctx.host).value?.authURL {
                    text += "\nLogin link reported by tailscaled: \(url)"
                }
                return text + ctx.practiceHint("logs the Spark in")
            },
            check: { ctx in
                switch Probe.tailscaleStatus(ctx.host) {
                case .absent: return Check(false, "tailscale connected", "tailscale is not installed")
                case .unknown(let why): return Check(false, "tailscale connected", why)
                case .found(let status):
                    return Check(
                        status.connected, "tailscale connected",
                        status.connected ? (status.dnsName ?? "running") : "state \(status.backendState)")
                }
            },
            refuse: { ctx in
                ctx.host.hasProgram("tailscale")
                    ? nil
                    : "tailscale is not installed. Install it (https://tailscale.com/download/linux), run `sudo tailscale up`, then run phase0 again."
            }
        )
    }

    static func httpsCheck(_ ctx: StepContext) -> Check {
        let label = "HTTPS enabled for the tailnet"
        switch Probe.tailscaleStatus(ctx.host) {
        case .absent: return Check(false, label, "tailscale is not installed")
        case .unknown(let why): return Check(false, label, why)
        case .found(let status):
            if status.httpsEnabled { return Check(true, label, "certificates for \(status.certDomains.joined(separator: ", "))") }
            let missing =
                status.hasHTTPSCapability ? "no certificate domain (CertDomains is empty)" : "the node has no \"https\" capability"
            return Check(false, label, "not enabled: \(missing)")
        }
    }

    static var httpsEnabled: Action {
        Action(
            id: "https-enabled",
            title: "Enable HTTPS for your tailnet (admin console)",
            why:
                "Serve terminates HTTPS with a certificate Tailscale issues for the tailnet's ts.net name; without HTTPS enabled, `tailscale serve` prints an enable link instead of serving, and may still exit 0.",
            kind: .operatorTask { ctx in
                """
                HTTPS is not enabled for your tailnet. Only an admin can turn it on, in the browser:
                  1. Open \(adminDNSPage)
                  2. Make sure MagicDNS is enabled, then under "HTTPS Certificates" click "Enable HTTPS".
                phase0 then re-reads `tailscale status --json` (it can take a minute to arrive).
                """ + ctx.practiceHint("enables HTTPS in the admin console")
            },
            check: { ctx in httpsCheck(ctx) }
        )
    }

    static func serveCheck(_ ctx: StepContext) throws -> Check {
        let port = try port(ctx)
        let label = "Tailscale Serve"
        let config: ServeConfig
        switch Probe.serveConfig(ctx.host) {
        case .absent: return Check(false, label, "`tailscale serve status --json` printed nothing")
        case .unknown(let why): return Check(false, label, why)
        case .found(let value): config = value
        }
        let wanted = "http://127.0.0.1:\(port)"
        guard let served = config.httpsProxy() else {
            var detail = "`tailscale serve status --json` shows no HTTPS 443 proxy"
            if !httpsCheck(ctx).ok { detail += " (HTTPS is not enabled for the tailnet: serve prints an enable link and serves nothing)" }
            return Check(false, label, detail)
        }
        guard config.proxiesToLocalPort(port) else {
            return Check(false, label, "https://\(served.host) proxies to \(served.target), not \(wanted)")
        }
        return Check(true, label, "https://\(served.host) -> \(wanted); open https://\(served.host) on your phone (Tailscale connected)")
    }

    static var serve: Action {
        Action(
            id: "serve",
            title: "Serve Open WebUI on the tailnet (tailscale serve --bg)",
            why:
                "Publishes https://<spark>.<tailnet>.ts.net -> http://127.0.0.1:PORT in the background, persistent across reboots. Register Open WebUI's first account (it becomes admin) before this exposes it.",
            kind: .commands { ctx in
                let port = try port(ctx)
                if let config = Probe.serveConfig(ctx.host).value, let served = config.httpsProxy(),
                    !config.proxiesToLocalPort(port)
                {
                    ctx.say("  Note: https://\(served.host) now proxies to \(served.target); this replaces it.")
                }
                // Under a timeout: without HTTPS, serve can wait forever for it to be enabled.
                return [.privileged(["tailscale", "serve", "--bg", port], timeout: serveTimeout)]
            },
            check: { ctx in try serveCheck(ctx) }
        )
    }

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        let port = try port(ctx)
        let health = ctx.host.succeeds(["curl", "-fsS", "--max-time", "5", "http://127.0.0.1:\(port)/health"], timeout: 15)
        return [
            try ownerCheck(ctx), try connected.check(ctx), httpsCheck(ctx),
            Check(
                health, "Open WebUI answers",
                health ? "http://127.0.0.1:\(port)/health" : "no answer on http://127.0.0.1:\(port)/health (phase0 troubleshoot webui)"),
            try serveCheck(ctx),
        ]
    }
}
