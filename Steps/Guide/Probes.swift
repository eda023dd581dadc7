import Phase0Core
import Phase0Parsers

/// Read-only looks at the machine shared by the steps, `troubleshoot` and `preflight`. Nothing
/// here changes anything; each answers one question as a Lookup: found, absent (the machine
/// said there is none) or unknown (it could not be asked, and why), never guessing between them.
public enum Probe {
    // MARK: tailscale

    /// `tailscale status --json`, parsed; absent when tailscale is not installed.
    public static func tailscaleStatus(_ host: Host) -> Lookup<TailscaleStatus> {
        guard host.hasProgram("tailscale") else { return .absent }
        return parsed(host.probe(["tailscale", "status", "--json"], timeout: 20), "tailscale status --json", TailscaleStatus.parse)
    }

    /// `tailscale serve status --json`, parsed (an empty config when nothing is served).
    public static func serveConfig(_ host: Host) -> Lookup<ServeConfig> {
        parsed(host.probe(["tailscale", "serve", "status", "--json"], timeout: 20), "tailscale serve status --json", ServeConfig.parse)
    }

    static func parsed<T>(_ output: Lookup<String>, _ what: String, _ parse: (String) throws -> T) -> Lookup<T> {
        output.flatMap { text in
            do { return .found(try parse(text)) } catch {
                return .unknown("`\(what)` printed something phase0 cannot read: \(error)")
            }
        }
    }

    // MARK: docker

    /// What docker says when the object asked for does not exist (`docker inspect`, `--type
    /// container`, `image inspect`, older daemons).
    static func dockerSaysNoSuch(_ result: CommandResult) -> Bool {
        ["No such object", "No such container", "No such image"].contains { result.output.contains($0) }
    }

    /// `docker ARGS` read-only: as the operator first (docker group), then as root with `sudo -n`.
    /// Absent when docker says there is no such object; unknown when neither could ask docker.
    public static func docker(_ host: Host, _ args: [String], timeout: Int = 30) -> Lookup<String> {
        let argv = ["docker"] + args
        let asOperator = host.probe(argv, timeout: timeout, absentWhen: dockerSaysNoSuch)
        if case .unknown = asOperator {
            return host.probe(.rootProbe(argv, timeout: timeout), absentWhen: dockerSaysNoSuch)
        }
        return asOperator
    }

    /// `docker inspect --type container --format TEMPLATE NAME`, trimmed; absent when there is
    /// no such container (untyped, docker would inspect a volume of the same name instead).
    public static func dockerInspect(_ host: Host, _ name: String, _ template: String) -> Lookup<String> {
        docker(host, ["inspect", "--type", "container", "--format", template, name]).map { $0.trimmingWhitespace() }
    }

    /// Whether the container runs; absent when there is no such container.
    public static func containerRunning(_ host: Host, _ name: String) -> Lookup<Bool> {
        dockerInspect(host, name, "{{.State.Running}}").map { $0 == "true" }
    }

    /// The Docker daemon's version, as root (`sudo -n`): it answers, or why not.
    public static func dockerDaemon(_ host: Host) -> Lookup<String> {
        host.probe(.rootProbe(["docker", "info", "--format", "{{.ServerVersion}}"])).map { $0.trimmingWhitespace() }
    }

    // MARK: systemd and services

    /// `systemctl is-active UNIT`: "active", "inactive", "failed", "activating"... (systemd says
    /// "inactive" for a unit it does not know); unknown when systemd cannot be asked.
    public static func unitActive(_ host: Host, _ unit: String) -> Lookup<String> {
        systemctlState(host, ["systemctl", "is-active", unit], quietSuccess: "active")
    }

    /// `systemctl is-enabled UNIT`: "enabled", "disabled", "static"...; absent when there is no
    /// such unit file.
    public static func unitEnabled(_ host: Host, _ unit: String) -> Lookup<String> {
        systemctlState(host, ["systemctl", "is-enabled", unit], quietSuccess: "enabled")
    }

    /// These verbs print one word and exit non-zero for every state but the first ("inactive",
    /// "disabled"); anything else they print is an error message.
    static func systemctlState(_ host: Host, _ argv: [String], quietSuccess: String) -> Lookup<String> {
        let result: CommandResult
        do { result = try host.run(Command(argv, timeout: 10)) } catch {
            return .unknown("`\(argv.joined(separator: " "))` could not be run: \(error)")
        }
        let state = result.output.trimmingWhitespace()
        if state.isEmpty && result.succeeded { return .found(quietSuccess) }
        if !state.isEmpty, !state.contains(" "), !state.contains("\n") { return .found(state) }
        if state.contains("No such file") || state.contains("not found") { return .absent }
        return .unknown(firstLine(state) ?? "`\(argv.joined(separator: " "))` exited with status \(result.exitStatus)")
    }

    /// One property of a unit (`systemctl show -p NAME --value`).
    public static func unitProperty(_ host: Host, _ unit: String, _ property: String) -> Lookup<String> {
        host.probe(["systemctl", "show", "-p", property, "--value", unit]).map { $0.trimmingWhitespace() }
    }

    /// Ollama's /api/tags from the Spark; unknown when it does not answer.
    public static func ollamaTags(_ host: Host, url: String) -> Lookup<String> {
        host.probe(["curl", "-fsS", "--max-time", "5", url + "/api/tags"], timeout: 15)
    }

    /// Model names in an /api/tags reply ({"models":[{"name":"...",...}]}).
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

    /// The TCP listeners on `port`, from `ss -Hltn 'sport = :PORT'` (none is an empty list).
    public static func listeners(_ host: Host, port: Int) -> Lookup<[Listener]> {
        host.probe(["ss", "-Hltn", "sport = :\(port)"]).map { Listener.parse(ssOutput: $0, port: port) }
    }

    // MARK: packages and firewall

    /// mosh's version when installed: `mosh-server --version`, else dpkg's record.
    public static func moshVersion(_ host: Host) -> String? {
        guard host.hasProgram("mosh-server") else { return nil }
        if let text = host.probe(["mosh-server", "--version"]).value, let line = firstLine(text) { return line }
        if let version = host.probe(["dpkg-query", "-W", "-f=${Version}", "mosh"]).value?.trimmingWhitespace(), !version.isEmpty {
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
        let status = host.probe(.rootProbe(["ufw", "status"], timeout: 20))
        if let output = status.value {
            guard output.contains("Status: active") else { return .inactive }
            let rules = output.split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 2, fields.contains("ALLOW") else { return nil }
                return String(fields[0])
            }
            return .active(rules: rules)
        }
        switch host.lookupFile("/etc/ufw/ufw.conf") {
        case .found(let conf):
            let enabled = conf.split(separator: "\n").contains { $0.trimmingWhitespace().lowercased() == "enabled=yes" }
            return enabled ? .active(rules: nil) : .inactive
        case .absent, .unknown:
            return .unknown("`sudo -n ufw status` did not answer (\(status.unknownReason ?? "")) and /etc/ufw/ufw.conf is unreadable")
        }
    }

    public static func firstLine(_ text: String) -> String? {
        text.split(separator: "\n").first.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
