import Phase0Core
import Phase0Parsers

/// systemd's state on the simulated Spark: what it has loaded, what runs, what it logged.
public struct SimSystemdState: Codable, Equatable, Sendable {
    /// Unit file text as systemd last read it (daemon-reload, enable, or first use).
    public var loaded: [String: String] = [:]
    /// Units whose last start failed.
    public var failed: [String] = []
    /// Services started from a unit file, with the main PID and environment they run with.
    public var running: [String: SimRunningUnit] = [:]
    public var nextPID = 4100
    public var journal: [String: [String]] = [:]
    public init() {}
}

public struct SimRunningUnit: Codable, Equatable, Sendable {
    public var mainPID: Int
    public var user: String
    public var environment: [String: String]
}

/// systemctl / journalctl / systemd-analyze on the simulated Spark (Step 2). Units written to
/// /etc/systemd/system are parsed (SimUnitFile) and run as written: ExecStartPre waits for
/// Ollama, ExecStart's tmux runs as User=, Type=forking holds while the tmux server lives in
/// the unit, and Restart= decides what happens when that server exits.
extension SimulatedSpark {
    static let unitDirectory = "/etc/systemd/system"

    mutating func simulateSystemd(_ name: String, _ args: [String], as user: String, input: String?) -> CommandResult {
        switch name {
        case "systemctl": return systemctl(args, as: user)
        case "journalctl": return journalctl(args)
        case "systemd-analyze": return systemdAnalyze(args)
        default: return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }

    func unitFileText(_ unit: String) -> String? { files["\(Self.unitDirectory)/\(unit)"]?.content }

    func unitIsKnown(_ unit: String) -> Bool {
        services[unit] != nil || systemd.loaded[unit] != nil || unitFileText(unit) != nil
    }

    func activeState(_ unit: String) -> String {
        if services[unit]?.active == true { return "active" }
        return systemd.failed.contains(unit) ? "failed" : "inactive"
    }

    mutating func log(_ unit: String, _ message: String) {
        systemd.journal[unit, default: []].append("Nov 29 12:00:00 \(hostname) systemd[1]: \(message)")
    }

    /// Reads every unit file again, as `systemctl daemon-reload` does.
    mutating func daemonReload() {
        let prefix = Self.unitDirectory + "/"
        var loaded: [String: String] = [:]
        for (path, file) in files where path.hasPrefix(prefix) && !file.isDirectory {
            let name = String(path.dropFirst(prefix.count))
            guard !name.contains("/"), name.hasSuffix(".service"), let content = file.content else { continue }
            loaded[name] = content
            if services[name] == nil { services[name] = SimService(active: false, enabled: false) }
        }
        systemd.loaded = loaded
    }

    mutating func systemctl(_ arguments: [String], as user: String) -> CommandResult {
        var properties: [String] = []
        var quiet = false
        var valueOnly = false
        var now = false
        var words: [String] = []
        var index = 0
        while index < arguments.count {
            let arg = arguments[index]
            switch arg {
            case "-q", "--quiet": quiet = true
            case "--value": valueOnly = true
            case "--now": now = true
            case "--no-pager", "--no-block", "-l", "--full", "--no-legend", "--system": break
            case "-p", "--property":
                if index + 1 < arguments.count { properties += arguments[index + 1].split(separator: ",").map(String.init) }
                index += 1
            default:
                if arg.hasPrefix("--property=") {
                    properties += arg.dropFirst(11).split(separator: ",").map(String.init)
                } else if arg.hasPrefix("-") {
                    return .init(exitStatus: 1, output: "phase0 practice: systemctl \(arg) is not simulated\n")
                } else {
                    words.append(arg)
                }
            }
            index += 1
        }
        guard let verb = words.first else {
            return .init(exitStatus: 1, output: "phase0 practice: systemctl without a verb (list-units) is not simulated\n")
        }
        let units = words.dropFirst().map { $0.contains(".") ? $0 : $0 + ".service" }
        let changes = ["daemon-reload", "enable", "disable", "start", "stop", "restart", "try-restart", "reset-failed"]
        if changes.contains(verb) && user != "root" {
            return .init(exitStatus: 4, output: "Failed to \(verb) \(units.joined(separator: " ")): Access denied\n")
        }
        switch verb {
        case "daemon-reload":
            daemonReload()
            return .init(exitStatus: 0, output: "")
        case "enable", "disable":
            var output = ""
            for unit in units {
                guard unitIsKnown(unit) else {
                    return .init(exitStatus: 1, output: "Failed to \(verb) unit: Unit file \(unit) does not exist.\n")
                }
                let wanted = verb == "enable"
                if services[unit]?.enabled != wanted {
                    output +=
                        wanted
                        ? "Created symlink /etc/systemd/system/multi-user.target.wants/\(unit) → \(unitFileText(unit) == nil ? "/usr/lib/systemd/system" : Self.unitDirectory)/\(unit).\n"
                        : "Removed \"/etc/systemd/system/multi-user.target.wants/\(unit)\".\n"
                }
                if services[unit] == nil { services[unit] = SimService(active: false, enabled: wanted) }
                services[unit]?.enabled = wanted
            }
            daemonReload()  // systemctl enable/disable reload the manager themselves
            if now {
                for unit in units {
                    let result = wantsStart(verb) ? startUnit(unit) : stopUnit(unit)
                    if !result.succeeded { return .init(exitStatus: result.exitStatus, output: output + result.output) }
                }
            }
            return .init(exitStatus: 0, output: output)
        case "start", "stop", "restart", "try-restart":
            for unit in units {
                let result: CommandResult
                switch verb {
                case "start": result = startUnit(unit)
                case "stop": result = stopUnit(unit)
                case "try-restart": result = services[unit]?.active == true ? restartUnit(unit) : .init(exitStatus: 0, output: "")
                default: result = restartUnit(unit)
                }
                if !result.succeeded { return result }
            }
            return .init(exitStatus: 0, output: "")
        case "reset-failed":
            systemd.failed.removeAll { units.isEmpty || units.contains($0) }
            return .init(exitStatus: 0, output: "")
        case "is-active", "is-failed":
            let states = units.map(activeState)
            let ok = verb == "is-active" ? states.allSatisfy { $0 == "active" } : states.contains("failed")
            return .init(exitStatus: ok ? 0 : (verb == "is-active" ? 3 : 1), output: quiet ? "" : states.map { $0 + "\n" }.joined())
        case "is-enabled":
            var output = ""
            var ok = true
            for unit in units {
                guard unitIsKnown(unit) else {
                    output += "Failed to get unit file state for \(unit): No such file or directory\n"
                    ok = false
                    continue
                }
                let enabled = services[unit]?.enabled == true
                ok = ok && enabled
                output += enabled ? "enabled\n" : "disabled\n"
            }
            return .init(exitStatus: ok ? 0 : 1, output: quiet ? "" : output)
        case "show":
            guard let unit = units.first else { return .init(exitStatus: 1, output: "phase0 practice: systemctl show needs a unit here\n") }
            let all = unitProperties(unit)
            let wanted = properties.isEmpty ? all.map(\.key) : properties
            let lines = wanted.map { key -> String in
                let value = all.first { $0.key == key }?.value ?? ""
                return valueOnly ? value + "\n" : "\(key)=\(value)\n"
            }
            return .init(exitStatus: 0, output: lines.joined())
        case "status":
            return unitStatus(units.first ?? "")
        case "cat":
            guard let unit = units.first, let text = unitFileText(unit) else {
                return .init(exitStatus: 1, output: "No files found for \(units.first ?? "").\n")
            }
            return .init(exitStatus: 0, output: "# \(Self.unitDirectory)/\(unit)\n" + text)
        default:
            return .init(exitStatus: 1, output: "phase0 practice: systemctl \(verb) is not simulated\n")
        }
    }

    private func wantsStart(_ verb: String) -> Bool { verb == "enable" }

    func unitProperties(_ unit: String) -> [(key: String, value: String)] {
        let known = unitIsKnown(unit)
        let fileText = unitFileText(unit)
        let loadedText = systemd.loaded[unit]
        let needsReload = fileText != nil && loadedText != nil && fileText != loadedText
        let loadState = (services[unit] != nil || loadedText != nil) ? "loaded" : "not-found"
        let state = activeState(unit)
        let mainPID = systemd.running[unit]?.mainPID ?? (services[unit]?.active == true ? 900 + unit.utf8.count : 0)
        let definition = (loadedText ?? fileText).map(SimUnitFile.init)
        return [
            ("Id", unit),
            ("LoadState", loadState),
            ("ActiveState", state),
            ("SubState", state == "active" ? "running" : (state == "failed" ? "failed" : "dead")),
            ("MainPID", String(mainPID)),
            ("NeedDaemonReload", needsReload ? "yes" : "no"),
            ("UnitFileState", known ? (services[unit]?.enabled == true ? "enabled" : "disabled") : ""),
            ("NRestarts", String(services[unit]?.restarts ?? 0)),
            ("FragmentPath", fileText == nil ? "" : "\(Self.unitDirectory)/\(unit)"),
            ("Type", definition?.values("Service", "Type").last ?? "simple"),
            ("User", definition?.values("Service", "User").last ?? ""),
            ("Restart", definition?.values("Service", "Restart").last ?? "no"),
            ("Result", systemd.failed.contains(unit) ? "exit-code" : "success"),
            ("ControlGroup", state == "active" ? "/system.slice/\(unit)" : ""),
        ]
    }

    func unitStatus(_ unit: String) -> CommandResult {
        guard unitIsKnown(unit) else { return .init(exitStatus: 4, output: "Unit \(unit) could not be found.\n") }
        let properties = Dictionary(unitProperties(unit), uniquingKeysWith: { first, _ in first })
        let description =
            (systemd.loaded[unit] ?? unitFileText(unit)).flatMap { SimUnitFile($0).values("Unit", "Description").last } ?? unit
        let state = activeState(unit)
        // systemd 250+ marks a failed unit with ×, an inactive one with ○.
        var text = "\(state == "active" ? "●" : state == "failed" ? "×" : "○") \(unit) - \(description)\n"
        text +=
            "     Loaded: loaded (\(properties["FragmentPath"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/lib/systemd/system/\(unit)"); \(properties["UnitFileState"] ?? ""); preset: enabled)\n"
        text += "     Active: \(state)\(state == "active" ? " (running)" : state == "failed" ? " (Result: exit-code)" : " (dead)")\n"
        if state == "active" { text += "   Main PID: \(properties["MainPID"] ?? "0")\n" }
        let journal = systemd.journal[unit] ?? []
        if !journal.isEmpty { text += "\n" + journal.suffix(10).joined(separator: "\n") + "\n" }
        return .init(exitStatus: state == "active" ? 0 : 3, output: text)
    }

    func journalctl(_ args: [String]) -> CommandResult {
        guard let u = args.firstIndex(of: "-u"), u + 1 < args.count else {
            return .init(exitStatus: 1, output: "phase0 practice: journalctl without -u UNIT is not simulated\n")
        }
        let unit = args[u + 1].contains(".") ? args[u + 1] : args[u + 1] + ".service"
        var lines = systemd.journal[unit] ?? []
        if let n = args.firstIndex(of: "-n"), n + 1 < args.count, let count = Int(args[n + 1]) { lines = Array(lines.suffix(count)) }
        return .init(exitStatus: 0, output: lines.isEmpty ? "-- No entries --\n" : lines.joined(separator: "\n") + "\n")
    }

    /// `systemd-analyze verify FILE...`: reads each file as the practice systemd would run it.
    func systemdAnalyze(_ args: [String]) -> CommandResult {
        guard args.first == "verify" else {
            return .init(exitStatus: 1, output: "phase0 practice: systemd-analyze \(args.first ?? "") is not simulated\n")
        }
        var problems = ""
        for path in args.dropFirst() where !path.hasPrefix("-") {
            guard let text = files[path]?.content else {
                problems += "Failed to prepare filename \(path): No such file or directory\n"
                continue
            }
            let file = SimUnitFile(text)
            do {
                _ = try file.environment()
                for key in ["ExecStartPre", "ExecStart", "ExecStop"] {
                    for line in file.values("Service", key) { _ = try SimUnitFile.execArgv(line) }
                }
            } catch {
                problems += "\(path): \(error)\n"
            }
        }
        return .init(exitStatus: problems.isEmpty ? 0 : 1, output: problems)
    }
}
