import Phase0Parsers
import Phase0Core
/// Read-only looks at the machine shared by Steps 1, 4, 5, `troubleshoot` and `preflight`.
/// Nothing here changes anything; each answers one question and says what it saw.
public enum Probe {
    // MARK: tailscale

    /// `tailscale status --json`, parsed; the failure says why (not installed, daemon down...).
    public static func tailscaleStatus(_ host: Host) -> Result<TailscaleStatus, ValidationFailure> {
        guard host.hasProgram("tailscale") else { return .failure(.init("tailscale is not installed")) }
        guard let result = try? host.run(Command(["tailscale", "status", "--json"], timeout: 20)) else {
            return .failure(.init("`tailscale status --json` could not be run"))
        }
        guard result.succeeded else {
            return .failure(.init(firstLine(result.output) ?? "`tailscale status --json` failed (exit \(result.exitStatus))"))
        }
        do { return .success(try TailscaleStatus.parse(result.output)) } catch {
            return .failure(.init("`tailscale status --json` printed something phase0 cannot read: \(error)"))
        }
    }

    /// `tailscale serve status --json`, parsed (an empty config when nothing is served).
    public static func serveConfig(_ host: Host) -> Result<ServeConfig, ValidationFailure> {
        guard let result = try? host.run(Command(["tailscale", "serve", "status", "--json"], timeout: 20)) else {
            return .failure(.init("`tailscale serve status --json` could not be run"))
        }
        guard result.succeeded else {
            return .failure(.init(firstLine(result.output) ?? "`tailscale serve status --json` failed (exit \(result.exitStatus))"))
        }
        do { return .success(try ServeConfig.parse(result.output)) } catch {
            return .failure(.init("`tailscale serve status --json` printed something phase0 cannot read: \(error)"))
        }
    }

    // MARK: docker

    /// `docker ARGS` read-only: as the operator first (docker group), then as root with `sudo -n`.
    public static func docker(_ host: Host, _ args: [String], timeout: Int = 30) -> CommandResult? {
        let argv = ["docker"] + args
        if let result = try? host.run(Command(argv, timeout: timeout)), result.succeeded { return result }
        return try? host.run(Command.rootProbe(argv, timeout: timeout))
    }

    /// `docker inspect --format TEMPLATE NAME`, trimmed; nil when there is no such container
    /// (or docker cannot be asked).
    public static func dockerInspect(_ host: Host, _ name: String, _ template: String) -> String? {
        guard let result = docker(host, ["inspect", "--format", template, name]), result.succeeded else { return nil }
        return result.output.trimmingWhitespace()
    }

    /// Whether the container runs: true/false, nil when it does not exist or docker cannot be asked.
    public static func containerRunning(_ host: Host, _ name: String) -> Bool? {
        guard let state = dockerInspect(host, name, "{{.State.Running}}") else { return nil }
        return state == "true"
    }

    // MARK: tmux

    /// tmux commands run as the agent's user, on the agent's own server (`tmux -L SESSION`,
    /// see AgentUnitSettings.tmuxSocket): never the operator's own tmux.
    /// `=NAME` asks tmux for exactly this session (a bare name also matches by prefix).
    public static func tmux(_ host: Host, user: String, session: String, _ args: [String]) -> CommandResult? {
        try? host.run(Command(AgentUnit.tmux(session: session, args), runAs: .user(user), timeout: 10))
    }

    public static func tmuxHasSession(_ host: Host, user: String, session: String) -> Bool {
        tmux(host, user: user, session: session, ["has-session", "-t", "=" + session])?.succeeded == true
    }

    /// How many clients are attached to the session; nil when the session is not there.
    public static func tmuxAttachedClients(_ host: Host, user: String, session: String) -> Int? {
        if let listed = tmux(host, user: user, session: session, ["list-clients", "-t", "=" + session]), listed.succeeded {
            return listed.output.split(separator: "\n").filter { !$0.trimmingWhitespace().isEmpty }.count
        }
        if let shown = tmux(host, user: user, session: session, ["display", "-p", "-t", "=" + session, "#{session_attached}"]), shown.succeeded {
            return Int(shown.output.trimmingWhitespace())
        }
        return nil
    }

    // MARK: systemd and services

    /// `systemctl is-active UNIT`: "active", "inactive", "failed", ... ("unknown" if it cannot be asked).
    public static func unitState(_ host: Host, _ unit: String) -> String {
        guard let result = try? host.run(Command(["systemctl", "is-active", unit], timeout: 10)) else { return "unknown" }
        // One word ("active", "inactive", "failed", "activating"...); anything else is an error message.
        let state = result.output.trimmingWhitespace()
        guard !state.isEmpty, !state.contains(" "), !state.contains("\n") else { return result.succeeded ? "active" : "unknown" }
        return state
    }

    /// Ollama's /api/tags from the Spark; nil when it does not answer.
    public static func ollamaTags(_ host: Host, url: String) -> String? {
        host.output(["curl", "-fsS", "--max-time", "5", url + "/api/tags"], timeout: 15)
    }

    /// Model names in an /api/tags reply ({"models":[{"name":"vybn:latest",...}]}).
    public static func modelNames(inTags json: String) -> [String] {
        var names: [String] = []
        var rest = Substring(json)
        while let key = rest.firstRange(of: "\"name\"") {
            rest = rest[key.upperBound...].drop { $0 == " " || $0 == ":" }
            guard rest.first == "\"" else { continue }
            rest = rest.dropFirst()
            let name = rest.prefix { $0 != "\"" }
            names.append(String(name))
            rest = rest.dropFirst(name.count)
        }
        return names
    }

    /// The addresses a TCP port listens on, from `ss -Hltn 'sport = :PORT'`; nil if ss fails.
    public static func listenAddresses(_ host: Host, port: String) -> [String]? {
        guard let text = host.output(["ss", "-Hltn", "sport = :\(port)"]) else { return nil }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 4, let colon = fields[3].lastIndex(of: ":") else { return nil }
            return String(fields[3][..<colon])
        }
    }

    public static func isLoopbackAddress(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "[::1]" || address == "::1" || address == "localhost"
    }

    // MARK: packages and firewall

    /// mosh's version when installed: `mosh-server --version`, else dpkg's record.
    public static func moshVersion(_ host: Host) -> String? {
        guard host.hasProgram("mosh-server") else { return nil }
        if let text = host.output(["mosh-server", "--version"]), let line = firstLine(text) { return line }
        if let version = host.output(["dpkg-query", "-W", "-f=${Version}", "mosh"])?.trimmingWhitespace(), !version.isEmpty {
            return "mosh \(version)"
        }
        return "installed"
    }

    public enum Firewall: Equatable {
        case notInstalled
        case inactive
        case active(rules: [String]?)
        /// Root could not be asked (sudo wants a password) and the config file was unreadable.
        case unknown(String)
    }

    /// ufw's state: `ufw status` as root; without sudo, /etc/ufw/ufw.conf's ENABLED (rules unknown).
    public static func firewall(_ host: Host) -> Firewall {
        guard host.hasProgram("ufw") else { return .notInstalled }
        if let result = try? host.run(Command.rootProbe(["ufw", "status"], timeout: 20)), result.succeeded {
            guard result.output.contains("Status: active") else { return .inactive }
            let rules = result.output.split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 2, fields.contains("ALLOW") else { return nil }
                return String(fields[0])
            }
            return .active(rules: rules)
        }
        if let conf = host.readFile("/etc/ufw/ufw.conf") {
            let enabled = conf.split(separator: "\n").contains { $0.trimmingWhitespace().lowercased() == "enabled=yes" }
            return enabled ? .active(rules: nil) : .inactive
        }
        return .unknown("`sudo -n ufw status` needs a password and /etc/ufw/ufw.conf is unreadable")
    }

    public static func firstLine(_ text: String) -> String? {
        text.split(separator: "\n").first.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
