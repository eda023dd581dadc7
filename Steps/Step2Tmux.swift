import Phase0Parsers
import Phase0Core

/// Step 2 and tmux. The agent's tmux server runs on a socket of its own (`tmux -L SESSION`), so
/// the operator's own tmux (where README advises running phase0) never captures the unit's
/// `new-session` and is never phase0's to stop. Two things may still need stopping, each only
/// with a person's yes or the answers file's (never -y alone), and never when phase0's own
/// terminal is inside them ($TMUX, phase0's ancestor processes):
/// - a server on the agent's socket that the unit did not start (`replaceTmuxSession`);
/// - a tui.py or web_serve.py running outside the unit: two agents would compete for the GPU
///   (the guide's single-instance rule; `stopOtherAgent`).
enum AgentTmux {
    typealias Settings = AgentUnitSettings

    static func run(_ ctx: StepContext, _ s: Settings, _ args: [String]) -> String? {
        ctx.host.output(AgentUnit.tmux(session: s.tmuxSession, args), runAs: .user(s.user))
    }

    /// The sessions of the server on the agent's socket, or nil when none runs.
    static func sessions(_ ctx: StepContext, _ s: Settings) -> [String]? {
        run(ctx, s, ["list-sessions", "-F", "#{session_name}"])?.split(separator: "\n").map(String.init)
    }

    /// (PID, socket path) of the server on the agent's socket.
    static func server(_ ctx: StepContext, _ s: Settings) -> (pid: Int, socket: String)? {
        guard let line = run(ctx, s, ["display-message", "-p", "#{pid} #{socket_path}"])?.trimmingWhitespace(),
              let space = line.firstIndex(of: " "), let pid = Int(line[..<space]) else { return nil }
        return (pid, String(line[line.index(after: space)...]))
    }

    static func mainPID(_ ctx: StepContext, _ s: Settings) -> Int? {
        guard AgentServiceStep.isActive(ctx, s.unitName) else { return nil }
        return AgentServiceStep.systemctlValue(ctx, "MainPID", s.unitName).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Sessions of a server on the agent's socket that the unit did not start; nil when there is
    /// no server there or it is the unit's own (its PID is the unit's main PID).
    static func handRunSessions(_ ctx: StepContext, _ s: Settings) -> [String]? {
        guard let sessions = sessions(ctx, s) else { return nil }
        if let main = mainPID(ctx, s), server(ctx, s)?.pid == main { return nil }
        return sessions
    }

    static func hasSession(_ ctx: StepContext, _ s: Settings) -> Bool {
        ctx.host.succeeds(AgentUnit.tmux(session: s.tmuxSession, ["has-session", "-t", "=" + s.tmuxSession]), runAs: .user(s.user))
    }

    /// The unit rendering the running tmux server was started from (its environment).
    static func runningConfig(_ ctx: StepContext, _ s: Settings) -> String? {
        let line = run(ctx, s, ["show-environment", "-g", AgentUnit.configVariable])
        return line?.trimmingWhitespace().split(separator: "=", maxSplits: 1).last.map(String.init)
    }

    static func report(_ ctx: StepContext, _ s: Settings) -> [String] {
        var lines: [String] = []
        if let sessions = handRunSessions(ctx, s) {
            lines.append("tmux -L \(s.tmuxSocket) for \(s.user): a server started by hand, with session(s) \(sessions.joined(separator: ", "))")
        } else if let sessions = sessions(ctx, s) {
            lines.append("tmux -L \(s.tmuxSocket) for \(s.user): the unit's server, with session(s) \(sessions.joined(separator: ", "))")
        } else {
            lines.append("tmux -L \(s.tmuxSocket) for \(s.user): no server running")
        }
        if let own = ctx.host.output(["tmux", "list-sessions", "-F", "#{session_name}"], runAs: .user(s.user))?
            .split(separator: "\n").map(String.init), !own.isEmpty {
            lines.append("Your own tmux (default socket): session(s) \(own.joined(separator: ", ")); phase0 leaves it alone")
        }
        if ctx.host.selfProcess.tmuxSocket != nil { lines.append("phase0 runs inside tmux: that server and its sessions are never stopped") }
        for process in Probe.agentProcesses(ctx.host, outsideUnit: s.unitName) {
            lines.append("\(process.script) runs outside \(s.unitName): PID \(process.pid) (\(process.user)): \(process.commandLine)")
        }
        return lines
    }

    /// Why restarting the unit (which ends its tmux server) would end phase0's own terminal.
    static func restartWouldEndThisTerminal(_ ctx: StepContext, _ s: Settings) -> String? {
        guard AgentServiceStep.isActive(ctx, s.unitName) else { return nil }
        let me = ctx.host.selfProcess
        guard me.isInside(tmuxSocket: server(ctx, s)?.socket, serverPID: mainPID(ctx, s)) else { return nil }
        return "\(s.unitName) must be restarted, which ends its tmux server, and this phase0 runs inside that server (a window of `\(s.attachCommand)`). Detach (Ctrl-B D) and run phase0 again from a plain SSH shell or your own tmux."
    }

    // MARK: - Actions

    static var otherAgent: Action { Action(
        id: "other-agent",
        title: "Stop the agent running outside the unit (one agent instance)",
        why: "The guide runs one agent: tui.py under systemd. A tui.py started by hand, or web_serve.py beside it, would compete with it for the GPU on a 229B model. It is stopped with SIGTERM (only the process: never a tmux server or session), once you say yes.",
        kind: .commands { ctx in
            let s = try AgentServiceStep.settings(ctx)
            var commands: [Command] = []
            for process in Probe.agentProcesses(ctx.host, outsideUnit: s.unitName) {
                ctx.say("     \(process.script) runs outside \(s.unitName): PID \(process.pid), as \(process.user): \(process.commandLine)")
                commands.append(Command(["kill", "-TERM", String(process.pid)], runAs: .user(process.user), effect: .change))
                // Waits (bounded) until it has exited.
                commands.append(Command(["tail", "--pid=\(process.pid)", "-f", "/dev/null"], timeout: 15))
            }
            return commands
        },
        check: { ctx in
            let s = try AgentServiceStep.settings(ctx)
            let found = Probe.agentProcesses(ctx.host, outsideUnit: s.unitName)
            return Check(found.isEmpty, "no tui.py or web_serve.py outside \(s.unitName)",
                         found.map { "\($0.script) PID \($0.pid)" }.joined(separator: ", "))
        },
        refuse: { ctx in
            guard let s = try? AgentServiceStep.settings(ctx) else { return nil }
            let found = Probe.agentProcesses(ctx.host, outsideUnit: s.unitName)
            if let mine = found.first(where: { ctx.host.selfProcess.ancestors.contains($0.pid) }) {
                return "PID \(mine.pid) (\(mine.script)) is one of phase0's own parent processes; stop it yourself, then run phase0 again"
            }
            return consentRefusal(ctx, key: "stopOtherAgent",
                                  no: "\(found.map { "\($0.script) (PID \($0.pid))" }.joined(separator: ", ")) runs outside \(s.unitName), and the answers file says stopOtherAgent=no. Two agents would compete for the GPU: stop it yourself, or answer yes, then run phase0 again.")
        },
        consentKey: { _ in "stopOtherAgent" }
    ) }

    static var handRunTmux: Action { Action(
        id: "hand-run-tmux",
        title: "Stop the tmux server on the agent's socket that the unit did not start",
        why: """
            A tmux server already running on the agent's own socket (tmux -L SESSION) captures the unit's `new-session`: \
            the session would live outside the unit's cgroup and systemd would see the start fail. Stopping it ends every \
            session in it and the programs in them. Your own tmux (the default socket) is never touched.
            """,
        kind: .commands { ctx in
            let s = try AgentServiceStep.settings(ctx)
            let sessions = handRunSessions(ctx, s) ?? []
            ctx.say("     A tmux server started by hand runs on socket \(s.tmuxSocket) for \(s.user), with session(s): \(sessions.joined(separator: ", ")).")
            ctx.say("     Stopping it ends those sessions and whatever runs in them; detach and save your work first.")
            return [Command(AgentUnit.tmux(session: s.tmuxSession, ["kill-server"]), runAs: .user(s.user), effect: .change)]
        },
        check: { ctx in
            let s = try AgentServiceStep.settings(ctx)
            guard let sessions = handRunSessions(ctx, s) else { return Check(true, "no tmux server on socket \(s.tmuxSocket) outside the unit", "") }
            return Check(false, "no tmux server on socket \(s.tmuxSocket) outside the unit", "a server started by hand holds: \(sessions.joined(separator: ", "))")
        },
        refuse: { ctx in
            guard let s = try? AgentServiceStep.settings(ctx) else { return nil }
            if let found = server(ctx, s), ctx.host.selfProcess.isInside(tmuxSocket: found.socket, serverPID: found.pid) {
                return "a tmux server started by hand runs on the agent's socket (\(s.tmuxSocket)), and this phase0 runs inside it: stopping it would end this terminal. Detach, end it yourself (tmux -L \(s.tmuxSocket) kill-server as \(s.user)) from another terminal, then run phase0 again."
            }
            return consentRefusal(ctx, key: "replaceTmuxSession",
                                  no: "a tmux server started by hand runs on socket \(s.tmuxSocket) for \(s.user), and the answers file says replaceTmuxSession=no. The unit cannot start beside it: detach, end it yourself (tmux -L \(s.tmuxSocket) kill-server as \(s.user)), or answer yes, then run phase0 again.")
        },
        consentKey: { _ in "replaceTmuxSession" }
    ) }

    /// The answers file's yes/no for a destructive choice: no refuses (with `no`), yes or absent
    /// goes on to the confirmation (which -y alone never answers).
    static func consentRefusal(_ ctx: StepContext, key: String, no: String) -> String? {
        guard let given = ctx.presetAnswers[key] else { return nil }
        switch given.trimmingWhitespace().lowercased() {
        case "yes", "y", "true": return nil
        case "no", "n", "false": return no
        default: return "\(key) must be yes or no, not \"\(given)\""
        }
    }
}
