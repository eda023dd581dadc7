import Phase0Core
import Phase0Parsers

/// Step 2: the agent under systemd, in tmux. Installs the rendered unit, has systemd load,
/// enable and start it, and checks that the tmux session is there for the user, started by
/// the unit as rendered now. Its tmux server has a socket of its own (Step2Tmux.swift): a server
/// on that socket run by hand, or an agent outside the unit, is stopped only with a person's yes.
enum AgentServiceStep {
    static func make() -> Step {
        Step(
            number: 2,
            title: "Run the agent under systemd, in tmux",
            why: """
                Why: systemd starts tmux detached, running tui.py, at boot and whenever it dies, so the agent
                survives laptop sleep and SSH drops. Its tmux server has a socket of its own (tmux -L SESSION),
                so it never joins or collides with your own tmux, and phase0 never touches yours: attach with
                `tmux -L SESSION attach -t SESSION` (the guide's `tmux attach -t vybn` becomes
                `tmux -L vybn attach -t vybn`). Type=forking because tmux forks its server and the starting client
                exits. When tui.py dies the tmux server exits with status 0, so the guide's Restart=on-failure would
                never bring it back: the unit uses Restart=always, RestartSec=10. It runs as your user (the socket
                lives in /tmp/tmux-UID/, so no PrivateTmp), with HOME and LANG=C.UTF-8, and waits (bounded) for
                Ollama's API first. Only one agent may hold the GPU: a tui.py or web_serve.py running outside the
                unit is stopped only with your yes.
                """,
            manual: """
                sudo cp vybn-agent.service /etc/systemd/system/
                sudo systemctl daemon-reload
                sudo systemctl enable vybn-agent.service
                sudo systemctl start vybn-agent.service
                sudo systemctl status vybn-agent.service
                tmux -L vybn attach -t vybn   # Ctrl-B D to detach (the guide: tmux attach -t vybn)
                """,
            questions: AgentServiceQuestions.all,
            report: report,
            actions: [unitFile, daemonReload, enable, AgentTmux.otherAgent, AgentTmux.handRunTmux, start],
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

    /// Whether the unit is active; unknown when systemd cannot be asked.
    static func isActive(_ ctx: StepContext, _ unit: String) -> Lookup<Bool> {
        Probe.unitActive(ctx.host, unit).map { $0 == "active" }
    }

    static func report(_ ctx: StepContext) -> [String] {
        // The questions validated these answers just before; a report is only what is seen.
        guard let s = try? settings(ctx) else { return [] }
        var lines: [String] = []
        let installed = ctx.host.lookupFile(s.unitPath)
        let same = installed.value == (try? AgentUnit.render(s))  // a unit that cannot render is refused at unit-file
        lines.append(
            "\(s.unitPath): "
                + installed.describe(absent: "not installed") { _ in
                    same ? "installed, as rendered now" : "installed, differs from what phase0 renders now"
                })
        let active = Probe.unitActive(ctx.host, s.unitName).describe(absent: "not installed") { $0 }
        let enabled = Probe.unitEnabled(ctx.host, s.unitName).describe(absent: "not installed") { $0 }
        lines.append("\(s.unitName): \(active), \(enabled)")
        lines += AgentTmux.report(ctx, s)
        lines.append(
            "\(s.ollamaUnit): "
                + (isActive(ctx, s.ollamaUnit).value == true
                    ? "active" : "not active (the unit waits up to \(AgentUnit.ollamaWaitSeconds) s for \(s.ollamaURL))"))
        lines.append(
            "Ollama's models (\(s.ollamaURL)/api/tags): "
                + AgentServiceQuestions.ollamaModels(ctx).describe(absent: "none") { $0.isEmpty ? "none" : $0.joined(separator: ", ") })
        return lines
    }

    // MARK: - Actions

    static var unitFile: Action {
        Action(
            id: "unit-file",
            title: "Install the unit file (mode 0644)",
            why:
                "The rendered unit replaces any older one atomically (a backup is kept beside it, named *.phase0-backup.N, which systemd ignores).",
            kind: .commands { ctx in
                let s = try settings(ctx)
                return AtomicWrite.commands(path: s.unitPath, content: try AgentUnit.render(s), mode: "0644", host: ctx.host)
            },
            check: { ctx in
                let s = try settings(ctx)
                let installed = ctx.host.lookupFile(s.unitPath)
                let mode = ctx.host.fileInfo(s.unitPath).map { $0.mode & 0o777 }
                let same = installed.value == (try AgentUnit.render(s)) && mode == 0o644
                return Check(
                    same, s.unitPath,
                    installed.describe(absent: "not installed") { _ in same ? "as rendered, 0644" : "differs from the rendered unit" })
            },
            refuse: { ctx in
                for program in ["tmux", "curl"] where !ctx.host.hasProgram(program) {
                    return
                        "\(program) is not installed, and the unit needs it (\(program == "tmux" ? "it runs tui.py in tmux" : "it waits for Ollama's API with curl")): sudo apt install \(program)"
                }
                do { _ = try rendered(ctx) } catch { return "the unit cannot be written safely: \(error)" }
                return nil
            },
            plannedFile: { ctx in
                let s = try settings(ctx)
                return PlannedFile(
                    path: s.unitPath, newContent: try AgentUnit.render(s), oldContent: try ctx.currentContent(of: s.unitPath))
            }
        )
    }

    static var daemonReload: Action {
        Action(
            id: "daemon-reload",
            title: "Have systemd read the unit (daemon-reload)",
            why: "systemd keeps the unit files it read; after a change it runs the old definition until reloaded.",
            kind: .commands { _ in [.privileged(["systemctl", "daemon-reload"])] },
            check: { ctx in
                let unit = try settings(ctx).unitName
                let shown = ctx.host.probe(["systemctl", "show", "-p", "LoadState", "-p", "NeedDaemonReload", unit])
                let ok = shown.value.map { $0.contains("LoadState=loaded") && $0.contains("NeedDaemonReload=no") } ?? false
                return Check(
                    ok, "systemd has read \(unit)", shown.describe(absent: "") { $0.split(separator: "\n").joined(separator: ", ") })
            }
        )
    }

    static var enable: Action {
        Action(
            id: "enable",
            title: "Enable the unit at boot",
            why: "Enabled, systemd starts the agent at every boot (multi-user.target wants it).",
            kind: .commands { ctx in [.privileged(["systemctl", "enable", try settings(ctx).unitName])] },
            check: { ctx in
                let unit = try settings(ctx).unitName
                let state = Probe.unitEnabled(ctx.host, unit)
                return Check(state == .found("enabled"), "\(unit) enabled", state.describe(absent: "no unit file") { $0 })
            }
        )
    }

    static var start: Action {
        Action(
            id: "start",
            title: "Start the service (and its tmux session)",
            why:
                "Starts tui.py in tmux under systemd now. A service started from an older unit is restarted, which restarts tui.py. If it fails: phase0 troubleshoot service.",
            kind: .commands { ctx in
                let s = try settings(ctx)
                var commands: [Command] = []
                if Probe.unitActive(ctx.host, s.unitName) == .found("failed") {
                    commands.append(.privileged(["systemctl", "reset-failed", s.unitName]))
                }
                switch isActive(ctx, s.unitName) {
                case .found(true):
                    ctx.say(
                        "     \(s.unitName) runs, but not from the unit as rendered now (or without its session): restarting it restarts tui.py."
                    )
                    commands.append(.privileged(["systemctl", "restart", s.unitName]))
                case .found(false), .absent:
                    commands.append(.privileged(["systemctl", "start", s.unitName]))
                case .unknown(let why):
                    throw ValidationFailure("phase0 cannot tell whether \(s.unitName) runs (\(why)), so it neither starts nor restarts it")
                }
                return commands
            },
            check: { ctx in try runningCheck(ctx) },
            refuse: { ctx in (try? settings(ctx)).flatMap { AgentTmux.restartWouldEndThisTerminal(ctx, $0) } }
        )
    }

    static func runningCheck(_ ctx: StepContext) throws -> Check {
        let s = try settings(ctx)
        let label = "\(s.unitName) running tmux session \(s.tmuxSession)"
        switch isActive(ctx, s.unitName) {
        case .found(true): break
        case .found(false), .absent: return Check(false, label, "\(s.unitName) is not active")
        case .unknown(let why): return Check(false, label, "cannot tell whether \(s.unitName) is active (\(why))")
        }
        switch Probe.tmuxHasSession(ctx.host, user: s.user, socket: s.tmuxSocket, session: s.tmuxSession) {
        case .found: break
        case .absent: return Check(false, label, "no tmux session \(s.tmuxSession) for \(s.user) on its socket")
        case .unknown(let why): return Check(false, label, "cannot tell whether tmux session \(s.tmuxSession) runs (\(why))")
        }
        let running = Probe.tmuxEnvironment(ctx.host, user: s.user, socket: s.tmuxSocket, AgentUnit.configVariable)
        guard running.value == (try AgentUnit.configHash(s)) else {
            return Check(
                false, label, running.describe(absent: "the tmux server was not started by this unit") { _ in "started from an older unit" }
            )
        }
        return Check(true, label, "\(s.attachCommand) (as \(s.user))")
    }

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        [try unitFile.check(ctx), try enable.check(ctx), try runningCheck(ctx)]
    }
}
