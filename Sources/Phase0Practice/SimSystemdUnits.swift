import Phase0Core
import Phase0Parsers

/// How the simulated systemd starts, stops and restarts a unit: the unit file is read
/// (SimUnitFile) and run as written, as its User=, with Type=forking held by the tmux server.
extension SimulatedSpark {
    mutating func restartUnit(_ unit: String) -> CommandResult {
        let stopped = stopUnit(unit)
        guard stopped.succeeded else { return stopped }
        return startUnit(unit)
    }

    /// The text systemd starts `unit` from, loading it on first use as systemd does.
    mutating func definitionForStart(_ unit: String) -> String? {
        if let loaded = systemd.loaded[unit] { return loaded }
        guard let text = unitFileText(unit) else { return nil }
        systemd.loaded[unit] = text
        if services[unit] == nil { services[unit] = SimService(active: false, enabled: false) }
        return text
    }

    mutating func startUnit(_ unit: String) -> CommandResult {
        guard unitIsKnown(unit) else { return .init(exitStatus: 5, output: "Failed to start \(unit): Unit \(unit) not found.\n") }
        var warning = ""
        if let loaded = systemd.loaded[unit], let file = unitFileText(unit), loaded != file {
            warning =
                "Warning: The unit file, source configuration file or drop-ins of \(unit) changed on disk. Run 'systemctl daemon-reload' to reload units.\n"
        }
        if services[unit]?.active == true { return .init(exitStatus: 0, output: warning) }
        guard let text = definitionForStart(unit) else {
            // A service of the base machine (ollama, docker, tailscaled): it simply starts.
            services[unit]?.active = true
            if unit == "docker.service" { docker.daemonRunning = true }
            systemd.failed.removeAll { $0 == unit }
            log(unit, "Started \(unit).")
            return .init(exitStatus: 0, output: warning)
        }
        if let reason = runUnit(unit, SimUnitFile(text)) {
            services[unit]?.active = false
            systemd.running[unit] = nil
            if !systemd.failed.contains(unit) { systemd.failed.append(unit) }
            log(unit, "\(unit): \(reason)")
            log(unit, "Failed to start \(unit).")
            return .init(
                exitStatus: 1,
                output: warning
                    + "Job for \(unit) failed because the control process exited with error code.\nSee \"systemctl status \(unit)\" and \"journalctl -xeu \(unit)\" for details.\n"
            )
        }
        systemd.failed.removeAll { $0 == unit }
        log(unit, "Started \(unit).")
        return .init(exitStatus: 0, output: warning)
    }

    /// Runs a unit's start as systemd would; returns why it failed, or nil when it runs.
    mutating func runUnit(_ unit: String, _ file: SimUnitFile) -> String? {
        do {
            var environment = try file.environment()
            let user = try file.setting("Service", "User") ?? "root"
            guard let account = users.first(where: { $0.name == user }) else {
                return "Failed to determine user credentials: No such process (status=217/USER)"
            }
            environment["HOME"] = environment["HOME"] ?? account.home
            if let directory = try file.setting("Service", "WorkingDirectory"), !directory.hasPrefix("-"),
                files[directory]?.isDirectory != true
            {
                return "Changing to the requested working directory failed: No such file or directory (status=200/CHDIR)"
            }
            systemd.running[unit] = SimRunningUnit(mainPID: systemd.nextPID, user: user, environment: environment)
            systemd.nextPID += 3
            for line in file.values("Service", "ExecStartPre") {
                let result = runUnitCommand(try SimUnitFile.execArgv(line, environment: environment), unit: unit, user: user)
                if !result.succeeded { return "ExecStartPre failed: \(result.output.trimmingWhitespace())" }
            }
            guard let start = file.values("Service", "ExecStart").last else {
                return "Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing."
            }
            let argv = try SimUnitFile.execArgv(start, environment: environment)
            let result = runUnitCommand(argv, unit: unit, user: user)
            if !result.succeeded { return "ExecStart failed: \(result.output.trimmingWhitespace())" }
            if argv.first?.hasSuffix("/tmux") == true {
                // Type=forking: the service is the tmux server left in the unit's cgroup.
                guard case .some(.some(unit)) = tmuxServerOwner(user, socket: Self.socketArgument(argv)) else {
                    return
                        "the session went to a tmux server started by hand, outside this unit; nothing is left in the unit (Failed with result 'protocol')"
                }
            }
            services[unit]?.active = true
            return nil
        } catch {
            return "bad unit file: \(error)"
        }
    }

    mutating func runUnitCommand(_ argv: [String], unit: String, user: String) -> CommandResult {
        guard let path = argv.first else { return .init(exitStatus: 203, output: "empty command") }
        let name = String(path.split(separator: "/").last ?? "")
        let args = Array(argv.dropFirst())
        switch name {
        case "timeout":
            guard args.count >= 2 else { return .init(exitStatus: 125, output: "timeout: missing operand") }
            return runUnitCommand(Array(args.dropFirst()), unit: unit, user: user)
        case "curl":
            guard let url = args.first(where: { $0.hasPrefix("http://") }) else {
                return .init(exitStatus: 2, output: "curl: no URL specified")
            }
            return ollamaAnswers(url)
                ? .init(exitStatus: 0, output: "")
                : .init(
                    exitStatus: 7,
                    output:
                        "curl: (7) Failed to connect to \(url): Couldn't connect to server (Ollama did not answer before the wait ran out)")
        case "tmux":
            guard programs.contains("tmux") else {
                return .init(exitStatus: 203, output: "Failed to locate executable \(path): No such file or directory (status=203/EXEC)")
            }
            return tmux(args, as: user, fromUnit: unit)
        default:
            return execute(argv, as: user, input: nil)
        }
    }

    mutating func stopUnit(_ unit: String) -> CommandResult {
        guard unitIsKnown(unit) else { return .init(exitStatus: 5, output: "Failed to stop \(unit): Unit \(unit) not loaded.\n") }
        guard services[unit]?.active == true else { return .init(exitStatus: 0, output: "") }
        if let running = systemd.running[unit], let text = systemd.loaded[unit] {
            let file = SimUnitFile(text)
            // The unit was loaded, so its lines parsed when it started; a stop runs what it can.
            for line in file.values("Service", "ExecStop") {
                if let argv = try? SimUnitFile.execArgv(line, environment: running.environment),
                    argv.first?.hasSuffix("/tmux") == true
                {
                    _ = tmux(Array(argv.dropFirst()), as: running.user, fromUnit: unit, stopping: true)
                }
            }
            // What ExecStop left in the cgroup is killed.
            tmuxSessions.removeAll { $0.fromUnit == unit }
        }
        if unit == "docker.service" { docker.daemonRunning = false }
        services[unit]?.active = false
        systemd.running[unit] = nil
        log(unit, "Stopped \(unit).")
        return .init(exitStatus: 0, output: "")
    }

    /// The unit's tmux server exited on its own (its program ended, or someone killed it).
    /// tmux exits with status 0, so only Restart=always brings the service back.
    mutating func unitMainProcessExited(_ unit: String) {
        guard services[unit]?.active == true else { return }
        let policy = (systemd.loaded[unit].map(SimUnitFile.init)?.values("Service", "Restart").last) ?? "no"
        services[unit]?.active = false
        systemd.running[unit] = nil
        log(unit, "\(unit): Deactivated successfully.")
        guard policy == "always" else { return }
        services[unit]?.restarts += 1
        log(unit, "\(unit): Scheduled restart job, restart counter is at \(services[unit]?.restarts ?? 0).")
        _ = startUnit(unit)
    }

    /// The program of a unit's tmux session (ExecStart after tmux's own options); nil for a
    /// unit that runs no tmux, or whose ExecStart does not parse (its start failed already).
    func unitSessionProgram(_ unit: String) -> [String]? {
        guard let text = systemd.loaded[unit], let line = SimUnitFile(text).values("Service", "ExecStart").last,
            let argv = try? SimUnitFile.execArgv(line), argv.first?.hasSuffix("/tmux") == true
        else { return nil }
        var index = 1
        while index < argv.count, argv[index].hasPrefix("-") || ["new-session", "new"].contains(argv[index]) {
            if ["-s", "-c", "-n", "-e", "-x", "-y", "-t", "-F", "-L", "-S"].contains(argv[index]) { index += 1 }
            index += 1
        }
        return index < argv.count ? Array(argv[index...]) : nil
    }
}
