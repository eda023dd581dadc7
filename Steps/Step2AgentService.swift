import Phase0Parsers
import Phase0Core

/// Step 2: the agent under systemd, in tmux. Installs the rendered unit, has systemd load,
/// enable and start it, and checks that the tmux session is there for the user, started by
/// the unit as rendered now. A tmux server run by hand is stopped only with the operator's yes.
enum AgentServiceStep {
    static func make() -> Step {
        Step(
            number: 2,
            title: "Run the agent under systemd, in tmux",
            why: """
                Why: systemd starts tmux detached, running tui.py, at boot and whenever it dies, so the agent
                survives laptop sleep and SSH drops; `tmux attach -t SESSION` finds it any time. Type=forking
                because tmux forks its server and the starting client exits. When tui.py dies the tmux server
                exits with status 0, so the guide's Restart=on-failure would never bring it back: the unit uses
                Restart=always, RestartSec=10. It runs as your user (the tmux socket lives in /tmp/tmux-UID/,
                so no PrivateTmp), with HOME and LANG=C.UTF-8, and waits (bounded) for Ollama's API first.
                """,
            manual: """
                sudo cp vybn-agent.service /etc/systemd/system/
                sudo systemctl daemon-reload
                sudo systemctl enable vybn-agent.service
                sudo systemctl start vybn-agent.service
                sudo systemctl status vybn-agent.service
                tmux attach -t vybn   # Ctrl-B D to detach
                """,
            questions: AgentServiceQuestions.all,
            report: report,
            actions: [unitFile, daemonReload, enable, handRunTmux, start],
            verify: verify,
            gate: SwapGate.gate
        )
    }

    /// The unit's settings for the current answers, with this machine's tmux and curl.
    static func settings(_ ctx: StepContext) throws -> AgentUnitSettings {
        var answers: [String: String] = [:]
        for key in AgentUnit.keys { answers[key.rawValue] = try ctx.answer(key) }
        return try AgentUnit.settings(answers: answers, host: ctx.host)
    }

    static func rendered(_ ctx: StepContext) throws -> String { try AgentUnit.render(try settings(ctx)) }

    // MARK: - Reading the machine

    static func systemctlValue(_ ctx: StepContext, _ property: String, _ unit: String) -> String? {
        ctx.host.output(["systemctl", "show", "-p", property, "--value", unit])?.trimmingWhitespace()
    }

    static func isActive(_ ctx: StepContext, _ unit: String) -> Bool {
        ctx.host.output(["systemctl", "is-active", unit])?.trimmingWhitespace() == "active"
    }

    /// The user's tmux sessions, or nil when no tmux server runs for them.
    static func tmuxSessions(_ ctx: StepContext, _ s: AgentUnitSettings) -> [String]? {
        ctx.host.output(["tmux", "list-sessions", "-F", "#{session_name}"], runAs: .user(s.user))?
            .split(separator: "\n").map(String.init)
    }

    /// The sessions of a tmux server the user runs outside the unit; nil when there is no
    /// server or it is the unit's own (its PID is the unit's main PID).
    static func handRunSessions(_ ctx: StepContext, _ s: AgentUnitSettings) -> [String]? {
        guard let sessions = tmuxSessions(ctx, s) else { return nil }
        if isActive(ctx, s.unitName),
           let mainPID = systemctlValue(ctx, "MainPID", s.unitName), mainPID != "0",
           let serverPID = ctx.host.output(["tmux", "display-message", "-p", "#{pid}"], runAs: .user(s.user))?.trimmingWhitespace(),
           serverPID == mainPID {
            return nil
        }
        return sessions
    }

    static func hasSession(_ ctx: StepContext, _ s: AgentUnitSettings) -> Bool {
        ctx.host.succeeds(["tmux", "has-session", "-t", "=" + s.tmuxSession], runAs: .user(s.user))
    }

    /// The unit rendering the running tmux server was started from (its environment).
    static func runningConfig(_ ctx: StepContext, _ s: AgentUnitSettings) -> String? {
        let line = ctx.host.output(["tmux", "show-environment", "-g", AgentUnit.configVariable], runAs: .user(s.user))
        return line?.trimmingWhitespace().split(separator: "=", maxSplits: 1).last.map(String.init)
    }

    static func report(_ ctx: StepContext) -> [String] {
        guard let s = try? settings(ctx) else { return [] }
        var lines: [String] = []
        let installed = ctx.host.readFile(s.unitPath)
        let wanted = try? AgentUnit.render(s)
        lines.append("\(s.unitPath): " + (installed == nil ? "not installed" : installed == wanted ? "installed, as rendered now" : "installed, differs from what phase0 renders now"))
        let active = (try? ctx.host.run(Command(["systemctl", "is-active", s.unitName])))?.output.trimmingWhitespace() ?? "unknown"
        let enabled = (try? ctx.host.run(Command(["systemctl", "is-enabled", s.unitName])))?.output.trimmingWhitespace() ?? "unknown"
        lines.append("\(s.unitName): \(active), \(enabled.contains("No such file") ? "not installed" : enabled)")
        if let sessions = handRunSessions(ctx, s) {
            lines.append("tmux for \(s.user): a server started by hand, with session(s) \(sessions.joined(separator: ", "))")
        } else if let sessions = tmuxSessions(ctx, s) {
            lines.append("tmux for \(s.user): the unit's server, with session(s) \(sessions.joined(separator: ", "))")
        } else {
            lines.append("tmux for \(s.user): no server running")
        }
        lines.append("\(s.ollamaUnit): " + (isActive(ctx, s.ollamaUnit) ? "active" : "not active (the unit waits up to \(AgentUnit.ollamaWaitSeconds) s for \(s.ollamaURL))"))
        return lines
    }

    // MARK: - Actions

    static var unitFile: Action { Action(
        id: "unit-file",
        title: "Install the unit file (mode 0644)",
        why: "The rendered unit replaces any older one atomically (a backup is kept beside it, named *.phase0-backup.N, which systemd ignores).",
        kind: .commands { ctx in
            let s = try settings(ctx)
            return AtomicWrite.commands(path: s.unitPath, content: try AgentUnit.render(s), mode: "0644", host: ctx.host)
        },
        check: { ctx in
            let s = try settings(ctx)
            let installed = ctx.host.readFile(s.unitPath)
            let mode = ctx.host.fileInfo(s.unitPath).map { $0.mode & 0o777 }
            let same = installed == (try AgentUnit.render(s)) && mode == 0o644
            return Check(same, s.unitPath, installed == nil ? "not installed" : same ? "as rendered, 0644" : "differs from the rendered unit")
        },
        refuse: { ctx in
            for program in ["tmux", "curl"] where !ctx.host.hasProgram(program) {
                return "\(program) is not installed, and the unit needs it (\(program == "tmux" ? "it runs tui.py in tmux" : "it waits for Ollama's API with curl")): sudo apt install \(program)"
            }
            do { _ = try rendered(ctx) } catch { return "the unit cannot be written safely: \(error)" }
            return nil
        },
        plannedFile: { ctx in
            let s = try settings(ctx)
            return PlannedFile(path: s.unitPath, newContent: try AgentUnit.render(s), oldContent: ctx.host.readFile(s.unitPath))
        }
    ) }

    static var daemonReload: Action { Action(
        id: "daemon-reload",
        title: "Have systemd read the unit (daemon-reload)",
        why: "systemd keeps the unit files it read; after a change it runs the old definition until reloaded.",
        kind: .commands { _ in [.privileged(["systemctl", "daemon-reload"])] },
        check: { ctx in
            let unit = try settings(ctx).unitName
            let shown = ctx.host.output(["systemctl", "show", "-p", "LoadState", "-p", "NeedDaemonReload", unit]) ?? ""
            let ok = shown.contains("LoadState=loaded") && shown.contains("NeedDaemonReload=no")
            return Check(ok, "systemd has read \(unit)", shown.split(separator: "\n").joined(separator: ", "))
        }
    ) }

    static var enable: Action { Action(
        id: "enable",
        title: "Enable the unit at boot",
        why: "Enabled, systemd starts the agent at every boot (multi-user.target wants it).",
        kind: .commands { ctx in [.privileged(["systemctl", "enable", try settings(ctx).unitName])] },
        check: { ctx in
            let unit = try settings(ctx).unitName
            let state = (try? ctx.host.run(Command(["systemctl", "is-enabled", unit])))?.output.trimmingWhitespace() ?? "unknown"
            return Check(state == "enabled", "\(unit) enabled", state)
        }
    ) }

    static var handRunTmux: Action { Action(
        id: "hand-run-tmux",
        title: "Stop the tmux server started by hand",
        why: """
            A tmux server already running for the user captures the unit's `tmux new-session`: the session would live \
            outside the unit's cgroup (or collide with a session of the same name) and systemd would see the start fail. \
            Stopping it ends every session in it and the programs in them (a hand-run tui.py, for example).
            """,
        kind: .commands { ctx in
            let s = try settings(ctx)
            let sessions = handRunSessions(ctx, s) ?? []
            ctx.say("     A tmux server started by hand runs for \(s.user), with session(s): \(sessions.joined(separator: ", ")).")
            ctx.say("     Stopping it ends those sessions and whatever runs in them; detach and save your work first.")
            return [Command(["tmux", "kill-server"], runAs: .user(s.user), effect: .change)]
        },
        check: { ctx in
            let s = try settings(ctx)
            guard let sessions = handRunSessions(ctx, s) else { return Check(true, "no tmux server outside the unit", "") }
            return Check(false, "no tmux server outside the unit", "a server started by hand holds: \(sessions.joined(separator: ", "))")
        },
        refuse: { ctx in
            guard let given = ctx.preset(.replaceTmuxSession) else { return nil }
            switch given.trimmingWhitespace().lowercased() {
            case "yes", "y", "true": return nil
            case "no", "n", "false":
                let user = (try? settings(ctx).user) ?? "the user"
                return "a tmux server started by hand runs for \(user), and the answers file says replaceTmuxSession=no. The unit cannot start beside it: detach, end it yourself (tmux kill-server as \(user)), or answer yes, then run phase0 again."
            default:
                return "replaceTmuxSession must be yes or no, not \"\(given)\""
            }
        }
    ) }

    static var start: Action { Action(
        id: "start",
        title: "Start the service (and its tmux session)",
        why: "Starts tui.py in tmux under systemd now. A service started from an older unit is restarted, which restarts tui.py. If it fails: phase0 troubleshoot service.",
        kind: .commands { ctx in
            let s = try settings(ctx)
            var commands: [Command] = []
            if ctx.host.succeeds(["systemctl", "is-failed", "--quiet", s.unitName]) {
                commands.append(.privileged(["systemctl", "reset-failed", s.unitName]))
            }
            if isActive(ctx, s.unitName) {
                ctx.say("     \(s.unitName) runs, but not from the unit as rendered now (or without its session): restarting it restarts tui.py.")
                commands.append(.privileged(["systemctl", "restart", s.unitName]))
            } else {
                commands.append(.privileged(["systemctl", "start", s.unitName]))
            }
            return commands
        },
        check: { ctx in try runningCheck(ctx) }
    ) }

    static func runningCheck(_ ctx: StepContext) throws -> Check {
        let s = try settings(ctx)
        let label = "\(s.unitName) running tmux session \(s.tmuxSession)"
        guard isActive(ctx, s.unitName) else { return Check(false, label, "\(s.unitName) is not active") }
        guard hasSession(ctx, s) else { return Check(false, label, "no tmux session \(s.tmuxSession) for \(s.user)") }
        let running = runningConfig(ctx, s)
        guard running == (try AgentUnit.configHash(s)) else {
            return Check(false, label, running == nil ? "the tmux server was not started by this unit" : "started from an older unit")
        }
        return Check(true, label, "tmux attach -t \(s.tmuxSession) (as \(s.user))")
    }

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        [try unitFile.check(ctx), try enable.check(ctx), try runningCheck(ctx)]
    }
}
