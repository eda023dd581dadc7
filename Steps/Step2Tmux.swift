import Phase0Core
import Phase0Parsers

/// Step 2 and tmux. The agent's tmux server runs on a socket of its own (`tmux -L SESSION`), so
/// the operator's own tmux (where README advises running phase0) never captures the unit's
/// `new-session` and is never phase0's to stop. Two things may still need stopping, each only
/// with a person's yes or the answers file's (never -y alone), and never when phase0's own
/// terminal is inside them ($TMUX, phase0's ancestor processes):
/// - a server on the agent's socket that the unit did not start (`replaceTmuxSession`);
/// - a tui.py or web_serve.py running outside the unit: two agents would compete for the GPU
///   (the guide's single-instance rule; `stopOtherAgent`).
/// What phase0 cannot see (tmux, systemd or ps could not be asked), it does not stop.
enum AgentTmux {
    typealias Settings = AgentUnitSettings

    /// The sessions of the server on the agent's socket; absent when none runs there.
    static func sessions(_ ctx: StepContext, _ s: Settings) -> Lookup<[String]> {
        Probe.tmuxSessions(ctx.host, user: s.user, socket: s.tmuxSocket)
    }

    /// (PID, socket path) of the server on the agent's socket.
    static func server(_ ctx: StepContext, _ s: Settings) -> Lookup<(pid: Int, socket: String)> {
        Probe.tmux(ctx.host, user: s.user, socket: s.tmuxSocket, ["display-message", "-p", "#{pid} #{socket_path}"]).flatMap { text in
            let line = text.trimmingWhitespace()
            guard let space = line.firstIndex(of: " "), let pid = Int(line[..<space]) else {
                return .unknown("tmux printed \"\(line)\" for #{pid} #{socket_path}")
            }
            return .found((pid, String(line[line.index(after: space)...])))
        }
    }

    /// The unit's main PID while it is active; absent when it is not active.
    static func mainPID(_ ctx: StepContext, _ s: Settings) -> Lookup<Int> {
        AgentServiceStep.isActive(ctx, s.unitName).flatMap { active in
            guard active else { return .absent }
            return Probe.unitProperty(ctx.host, s.unitName, "MainPID").flatMap { text in
                guard let pid = Int(text) else { return .unknown("systemd printed \"\(text)\" for MainPID") }
                return pid > 0 ? .found(pid) : .absent
            }
        }
    }

    /// The sessions of a server on the agent's socket that the unit did not start; absent when
    /// there is no server there or it is the unit's own (its PID is the unit's main PID);
    /// unknown when tmux or systemd could not be asked, which is never taken for "no server".
    static func handRunSessions(_ ctx: StepContext, _ s: Settings) -> Lookup<[String]> {
        sessions(ctx, s).flatMap { sessions in
            switch mainPID(ctx, s) {
            case .absent: return .found(sessions)
            case .unknown(let why): return .unknown(why)
            case .found(let main):
                switch server(ctx, s) {
                case .found(let server): return server.pid == main ? .absent : .found(sessions)
                case .absent: return .absent  // the server ended between the two looks
                case .unknown(let why): return .unknown(why)
                }
            }
        }
    }

    static func report(_ ctx: StepContext, _ s: Settings) -> [String] {
        var lines: [String] = []
        let socket = "tmux -L \(s.tmuxSocket) for \(s.user): "
        lines.append(
            socket
                + sessions(ctx, s).describe(absent: "no server running") { sessions in
                    let owner = handRunSessions(ctx, s).describe(absent: "the unit's server") { _ in "a server started by hand" }
                    return "\(owner), with session(s) \(sessions.joined(separator: ", "))"
                })
        if let own = Probe.tmuxSessions(ctx.host, user: s.user).value, !own.isEmpty {
            lines.append("Your own tmux (default socket): session(s) \(own.joined(separator: ", ")); phase0 leaves it alone")
        }
        if ctx.host.selfProcess.tmuxSocket != nil {
            lines.append("phase0 runs inside tmux: that server and its sessions are never stopped")
        }
        switch Probe.agentProcesses(ctx.host, outsideUnit: s.unitName) {
        case .found(let processes):
            for process in processes {
                lines.append("\(process.script) runs outside \(s.unitName): PID \(process.pid) (\(process.user)): \(process.commandLine)")
            }
        case .absent: break
        case .unknown(let why): lines.append("Agents outside \(s.unitName): cannot tell (\(why))")
        }
        return lines
    }

    /// Why restarting the unit (which ends its tmux server) would end phase0's own terminal.
    static func restartWouldEndThisTerminal(_ ctx: StepContext, _ s: Settings) -> String? {
        guard AgentServiceStep.isActive(ctx, s.unitName).value == true else { return nil }
        let me = ctx.host.selfProcess
        guard me.isInside(tmuxSocket: server(ctx, s).value?.socket, serverPID: mainPID(ctx, s).value) else { return nil }
        return
            "\(s.unitName) must be restarted, which ends its tmux server, and this phase0 runs inside that server (a window of `\(s.attachCommand)`). Detach (Ctrl-B D) and run phase0 again from a plain SSH shell or your own tmux."
    }

    // MARK: - Actions

    static var otherAgent: Action {
        Action(
            id: "other-agent",
            title: "Stop the agent running outside the unit (one agent instance)",
            why:
                "The guide runs one agent: tui.py under systemd. A tui.py started by hand, or web_serve.py beside it, would compete with it for the GPU on a 229B model. It is stopped with SIGTERM (only the process: never a tmux server or session), once you say yes.",
            kind: .commands { ctx in
                let s = try AgentServiceStep.settings(ctx)
                var commands: [Command] = []
                for process in Probe.agentProcesses(ctx.host, outsideUnit: s.unitName).value ?? [] {
                    ctx.say(
                        "     \(process.script) runs outside \(s.unitName): PID \(process.pid), as \(process.user): \(process.commandLine)")
                    commands.append(Command(["kill", "-TERM", String(process.pid)], runAs: .user(process.user), effect: .change))
                }
                return commands
            },
            check: { ctx in
                let s = try AgentServiceStep.settings(ctx)
                let label = "no tui.py or web_serve.py outside \(s.unitName)"
                switch Probe.agentProcesses(ctx.host, outsideUnit: s.unitName) {
                case .found(let found):
                    return Check(found.isEmpty, label, found.map { "\($0.script) PID \($0.pid)" }.joined(separator: ", "))
                case .absent: return Check(true, label, "")
                case .unknown(let why): return Check(false, label, "cannot tell (\(why))")
                }
            },
            refuse: { ctx in
                guard let s = try? AgentServiceStep.settings(ctx) else { return nil }  // the check threw already
                let found: [AgentProcess]
                switch Probe.agentProcesses(ctx.host, outsideUnit: s.unitName) {
                case .found(let processes): found = processes
                case .absent: found = []
                case .unknown(let why):
                    return
                        "phase0 cannot tell which programs run outside \(s.unitName) (\(why)), so it stops nothing. Look yourself (ps -ef | grep -e tui.py -e web_serve.py), then run phase0 again."
                }
                if let mine = found.first(where: { ctx.host.selfProcess.ancestors.contains($0.pid) }) {
                    return
                        "PID \(mine.pid) (\(mine.script)) is one of phase0's own parent processes; stop it yourself, then run phase0 again"
                }
                return ctx.decisionRefusal(.stopOtherAgent) {
                    "\(found.map { "\($0.script) (PID \($0.pid))" }.joined(separator: ", ")) runs outside \(s.unitName), and the answers file says stopOtherAgent=no. Two agents would compete for the GPU: stop it yourself, or answer yes, then run phase0 again."
                }
            },
            consentKey: { _ in AnswerKey.stopOtherAgent.rawValue },
            // The check reads `ps`, where a process that has exited but is not yet reaped shows
            // as `[python3] <defunct>`: it holds no GPU memory, so it counts as stopped. A wait
            // on the PID (`tail --pid`) would count it as running for as long as its parent
            // does not reap it, and a tmux linked with libutempter (Debian's) can miss the
            // SIGCHLD and never reap it (tmux/tmux#311, #4559; seen in the guest suite).
            settleSeconds: 60
        )
    }

    static var handRunTmux: Action {
        Action(
            id: "hand-run-tmux",
            title: "Stop the tmux server on the agent's socket that the unit did not start",
            why: """
                A tmux server already running on the agent's own socket (tmux -L SESSION) captures the unit's `new-session`: \
                the session would live outside the unit's cgroup and systemd would see the start fail. Stopping it ends every \
                session in it and the programs in them. Your own tmux (the default socket) is never touched.
                """,
            kind: .commands { ctx in
                let s = try AgentServiceStep.settings(ctx)
                let sessions = handRunSessions(ctx, s).value ?? []
                ctx.say(
                    "     A tmux server started by hand runs on socket \(s.tmuxSocket) for \(s.user), with session(s): \(sessions.joined(separator: ", "))."
                )
                ctx.say("     Stopping it ends those sessions and whatever runs in them; detach and save your work first.")
                return [Command(AgentUnit.tmux(session: s.tmuxSession, ["kill-server"]), runAs: .user(s.user), effect: .change)]
            },
            check: { ctx in
                let s = try AgentServiceStep.settings(ctx)
                let label = "no tmux server on socket \(s.tmuxSocket) outside the unit"
                switch handRunSessions(ctx, s) {
                case .absent: return Check(true, label, "")
                case .found(let sessions): return Check(false, label, "a server started by hand holds: \(sessions.joined(separator: ", "))")
                case .unknown(let why): return Check(false, label, "cannot tell (\(why))")
                }
            },
            refuse: { ctx in
                guard let s = try? AgentServiceStep.settings(ctx) else { return nil }  // the check threw already
                // What phase0 cannot see, it does not stop.
                if case .unknown(let why) = handRunSessions(ctx, s) {
                    return
                        "phase0 cannot tell whether a tmux server started by hand runs for \(s.user) on the agent's socket, \(s.tmuxSocket) (\(why)), so it stops nothing. Look yourself (tmux -L \(s.tmuxSocket) ls as \(s.user)), then run phase0 again."
                }
                if let found = server(ctx, s).value, ctx.host.selfProcess.isInside(tmuxSocket: found.socket, serverPID: found.pid) {
                    return
                        "a tmux server started by hand runs on the agent's socket (\(s.tmuxSocket)), and this phase0 runs inside it: stopping it would end this terminal. Detach, end it yourself (tmux -L \(s.tmuxSocket) kill-server as \(s.user)) from another terminal, then run phase0 again."
                }
                return ctx.decisionRefusal(.replaceTmuxSession) {
                    "a tmux server started by hand runs on socket \(s.tmuxSocket) for \(s.user), and the answers file says replaceTmuxSession=no. The unit cannot start beside it: detach, end it yourself (tmux -L \(s.tmuxSocket) kill-server as \(s.user)), or answer yes, then run phase0 again."
                }
            },
            consentKey: { _ in AnswerKey.replaceTmuxSession.rawValue },
            // `kill-server` returns once the server has the message, not once it has gone.
            settleSeconds: 15
        )
    }
}
