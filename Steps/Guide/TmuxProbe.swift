import Phase0Core
import Phase0Parsers

/// The one way phase0 asks tmux: as the agent's user (the session lives in that user's tmux
/// server), and telling "no server / no such session" (absent) from "could not ask" (unknown).
/// `socket` names the server (`tmux -L NAME`): the agent's has its own (AgentUnitSettings.
/// tmuxSocket); nil asks the user's own, default server, which phase0 only ever reads.
extension Probe {
    /// What tmux 3.3a says when there is nothing to find (FACTS.md C2): no socket directory, a
    /// socket without a server, no such session, no such variable.
    static func tmuxSaysNone(_ result: CommandResult) -> Bool {
        let said = result.output
        if said.contains("error connecting to") {
            return said.contains("No such file or directory") || said.contains("Connection refused")
        }
        return ["no server running", "can't find session", "no sessions", "unknown variable"].contains { said.contains($0) }
    }

    /// `tmux [-L SOCKET] ARGS` as `user`; absent when tmux says there is no server or no such session.
    public static func tmux(_ host: Host, user: String, socket: String? = nil, _ args: [String]) -> Lookup<String> {
        let argv = socket.map { AgentUnit.tmux(session: $0, args) } ?? ["tmux"] + args
        return host.probe(argv, runAs: .user(user), timeout: 10, absentWhen: tmuxSaysNone)
    }

    /// `=NAME` asks tmux for exactly this session (a bare name also matches by prefix).
    public static func tmuxHasSession(_ host: Host, user: String, socket: String? = nil, session: String) -> Lookup<Void> {
        tmux(host, user: user, socket: socket, ["has-session", "-t", "=" + session]).map { _ in () }
    }

    /// The user's tmux sessions; absent when no tmux server runs for them.
    public static func tmuxSessions(_ host: Host, user: String, socket: String? = nil) -> Lookup<[String]> {
        tmux(host, user: user, socket: socket, ["list-sessions", "-F", "#{session_name}"]).map {
            $0.split(separator: "\n").map(String.init)
        }
    }

    /// The PID of the user's tmux server.
    public static func tmuxServerPID(_ host: Host, user: String, socket: String? = nil) -> Lookup<String> {
        tmux(host, user: user, socket: socket, ["display-message", "-p", "#{pid}"]).map { $0.trimmingWhitespace() }
    }

    /// A variable of the server's global environment (what the unit started it with).
    public static func tmuxEnvironment(_ host: Host, user: String, socket: String? = nil, _ name: String) -> Lookup<String> {
        tmux(host, user: user, socket: socket, ["show-environment", "-g", name])
            .map { $0.trimmingWhitespace().split(separator: "=", maxSplits: 1).last.map(String.init) ?? "" }
    }

    /// A `#{FORMAT}` of the session (`session_created`...).
    public static func tmuxSessionFormat(
        _ host: Host, user: String, socket: String? = nil, session: String, _ format: String
    ) -> Lookup<String> {
        tmux(host, user: user, socket: socket, ["display", "-p", "-t", "=" + session, format]).map { $0.trimmingWhitespace() }
    }

    /// How many clients are attached to the session; absent when the session is not there.
    public static func tmuxAttachedClients(_ host: Host, user: String, socket: String? = nil, session: String) -> Lookup<Int> {
        let listed = tmux(host, user: user, socket: socket, ["list-clients", "-t", "=" + session])
        if case .unknown = listed {
            // An older tmux without list-clients -t: the session's attached count says the same.
            return tmuxSessionFormat(host, user: user, socket: socket, session: session, "#{session_attached}").flatMap { text in
                Int(text).map { .found($0) } ?? .unknown("tmux printed \"\(text)\" for #{session_attached}")
            }
        }
        return listed.map { $0.split(separator: "\n").filter { !$0.trimmingWhitespace().isEmpty }.count }
    }
}
