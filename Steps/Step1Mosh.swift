import Phase0Core
import Phase0Parsers

/// Step 1: install mosh (optional). The guide: "If mosh fights you, skip it. SSH + tmux attach
/// works fine. systemd keeps the session alive regardless."
enum MoshStep {
    /// The UDP ports mosh-server picks from.
    static let udpRule = "60000:61000/udp"

    static func make() -> Step {
        Step(
            number: 1,
            title: "Install mosh",
            why: """
                Why: mosh keeps a terminal session alive across laptop sleep, Wi-Fi changes and roaming,
                where plain SSH drops. It is optional: SSH + `tmux attach` works fine, and systemd keeps
                the agent alive regardless. mosh talks UDP on ports 60000-61000, so an active ufw firewall
                needs a rule for them; an inactive one needs nothing.
                """,
            manual: """
                sudo apt update && sudo apt install -y mosh
                # If firewall is active:
                sudo ufw allow 60000:61000/udp
                # Test from WSL2:
                mosh vybnz69@spark-2b7c.local
                """,
            optional: OptionalStep(
                answerKey: AnswerKey.installMosh.rawValue,
                question: "Install mosh? (optional: SSH + tmux attach works fine without it)"),
            report: report,
            actions: [install, firewall],
            verify: { ctx in [try install.check(ctx), try firewall.check(ctx)] },
            gate: SwapGate.gate
        )
    }

    static func report(_ ctx: StepContext) -> [String] {
        var lines = ["mosh: " + (Probe.moshVersion(ctx.host).map { "installed (\($0))" } ?? "not installed")]
        switch Probe.firewall(ctx.host) {
        case .notInstalled: lines.append("Firewall: ufw is not installed, so no rule is needed for mosh.")
        case .inactive: lines.append("Firewall: ufw is inactive, so no rule is needed for mosh.")
        case .active: lines.append("Firewall: ufw is active; mosh needs UDP 60000:61000 allowed.")
        case .unknown(let why): lines.append("Firewall: cannot tell yet (\(why)).")
        }
        let user = ctx.answerOrDefault(.user) ?? ""
        lines.append("Afterwards, from your laptop: mosh \(user)@\(ctx.host.name.split(separator: " ").first ?? "spark").local")
        return lines
    }

    static var install: Action {
        Action(
            id: "install-mosh",
            title: "Install mosh (apt-get)",
            why: "mosh-server must be on the Spark for `mosh user@spark` to connect; apt-get update first so the package index is current.",
            kind: .commands { _ in
                [
                    .privileged(["apt-get", "update"], timeout: 900, streamsOutput: true),
                    .privileged(["apt-get", "install", "-y", "mosh"], timeout: 1800, streamsOutput: true),
                ]
            },
            check: { ctx in
                guard let version = Probe.moshVersion(ctx.host) else {
                    return Check(false, "mosh installed", "mosh-server is not installed")
                }
                return Check(true, "mosh installed", version)
            }
        )
    }

    static var firewall: Action {
        Action(
            id: "ufw-mosh",
            title: "Allow mosh's UDP \(udpRule) in ufw (only when ufw is active)",
            why:
                "An active ufw drops mosh's UDP packets unless they are allowed; with ufw inactive or absent nothing blocks them and no rule is added.",
            kind: .commands { _ in [.privileged(["ufw", "allow", udpRule])] },
            check: { ctx in
                let label = "firewall for mosh"
                switch Probe.firewall(ctx.host) {
                case .notInstalled:
                    return Check(true, label, "ufw is not installed; no rule needed")
                case .inactive:
                    return Check(true, label, "ufw is inactive; no rule needed")
                case .active(let rules?) where rules.contains(udpRule):
                    return Check(true, label, "ufw is active and allows \(udpRule)")
                case .active(.some):
                    return Check(false, label, "ufw is active and does not allow \(udpRule) yet")
                case .active(nil):
                    return Check(false, label, "ufw is active; its rules cannot be read without sudo")
                case .unknown(let why):
                    return Check(false, label, "cannot tell whether ufw is active: \(why)")
                }
            },
            skippable: true
        )
    }
}
