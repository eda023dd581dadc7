import Phase0Core
import Phase0Parsers

/// tmux / pgrep / pkill on the simulated Spark (Steps 2 and 5).
///
/// Model: each user has at most one tmux server per socket (/tmp/tmux-UID/default, or the
/// socket NAME of `tmux -L NAME`) holding that server's sessions. A server started by a unit's
/// ExecStart lives in the unit's cgroup (`fromUnit`); a server started by hand does not. As with
/// real tmux, a new session lands in the running server of its socket, whoever started it, and
/// the server exits with status 0 when its last session ends, which is why only
/// `Restart=always` brings it back. A server on another socket is another server (FACTS C2, C3).
extension SimulatedSpark {
    mutating func simulateTmux(_ name: String, _ args: [String], as user: String) -> CommandResult {
        switch name {
        case "tmux": return tmux(args, as: user, fromUnit: nil)
        case "pgrep": return pgrep(args, as: user, kill: false)
        case "pkill": return pgrep(args, as: user, kill: true)
        default: return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }

    func uid(of user: String) -> Int { users.first { $0.name == user }?.uid ?? 65534 }

    func tmuxSocket(_ user: String, _ socket: String = "default") -> String { "/tmp/tmux-\(uid(of: user))/\(socket)" }

    func tmuxSessions(of user: String, socket: String = "default") -> [SimTmuxSession] {
        tmuxSessions.filter { $0.user == user && $0.socketName == socket }
    }

    /// nil: no server. .some(nil): a server run by hand. .some(unit): the unit's server.
    func tmuxServerOwner(_ user: String, socket: String = "default") -> String?? {
        guard let first = tmuxSessions(of: user, socket: socket).first else { return nil }
        return .some(first.fromUnit)
    }

    func tmuxServerPID(_ user: String, socket: String = "default") -> Int? {
        guard let owner = tmuxServerOwner(user, socket: socket) else { return nil }
        if let unit = owner, let running = systemd.running[unit] { return running.mainPID }
        return 2000 + uid(of: user) + (socket == "default" ? 0 : 100 + socket.utf8.count)
    }

    /// The socket a tmux argv talks to: `-L NAME`, else the default one.
    static func socketArgument(_ args: [String]) -> String {
        guard let index = args.firstIndex(of: "-L"), index + 1 < args.count else { return "default" }
        return args[index + 1]
    }

    /// The session `target` names, as tmux resolves it: `=NAME` exactly, otherwise the exact
    /// name or else a unique prefix (`-t vy` finds `vybn`, a trap `=` avoids).
    func tmuxSession(_ target: String, of user: String, socket: String = "default") -> SimTmuxSession? {
        var name = target
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        let mine = tmuxSessions(of: user, socket: socket)
        if name.hasPrefix("=") { return mine.first { $0.name == String(name.dropFirst()) } }
        if let exact = mine.first(where: { $0.name == name }) { return exact }
        let prefixed = mine.filter { $0.name.hasPrefix(name) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// The environment the user's tmux server copied at start: the unit's for a unit's server.
    func tmuxGlobalEnvironment(_ user: String, socket: String = "default") -> [String: String] {
        let home = users.first { $0.name == user }?.home ?? "/"
        if case .some(.some(let unit)) = tmuxServerOwner(user, socket: socket), let running = systemd.running[unit] {
            return running.environment.merging(["USER": user, "LOGNAME": user]) { mine, _ in mine }
        }
        return [
            "HOME": home, "USER": user, "LOGNAME": user, "LANG": "en_US.UTF-8", "TERM": "xterm-256color",
            "SHELL": "/bin/bash",
        ]
    }

    /// Runs one tmux command as `user`; `fromUnit` is the unit whose ExecStart/ExecStop runs it.
    mutating func tmux(_ arguments: [String], as user: String, fromUnit unit: String?, stopping: Bool = false) -> CommandResult {
        var args = arguments[...]
        var socket = "default"
        while let flag = args.first, flag.hasPrefix("-") {
            switch flag {
            case "-V": return .init(exitStatus: 0, output: "tmux 3.4\n")
            case "-u", "-2", "-v": args.removeFirst()
            case "-L":
                args.removeFirst()
                guard let name = args.popFirst(), !name.isEmpty, !name.contains("/") else {
                    return .init(exitStatus: 1, output: "tmux: option requires an argument -- L\n")
                }
                socket = name
            default: return .init(exitStatus: 1, output: "phase0 practice: tmux \(flag) is not simulated (only sockets by -L name are)\n")
            }
        }
        guard let command = args.popFirst() else {
            return .init(exitStatus: 1, output: "open terminal failed: not a terminal\n")
        }
        let rest = Array(args)
        // A server that exited removed its socket: tmux's client then says this (ENOENT), not
        // "no server running on" (ECONNREFUSED, a stale socket); TeachingFormatTests checks it.
        let noServer = CommandResult(exitStatus: 1, output: "error connecting to \(tmuxSocket(user, socket)) (No such file or directory)\n")
        func option(_ name: String) -> String? {
            guard let index = rest.firstIndex(of: name), index + 1 < rest.count else { return nil }
            return rest[index + 1]
        }
        func target() -> SimTmuxSession?? {
            guard tmuxServerOwner(user, socket: socket) != nil else { return nil }
            guard let name = option("-t") else { return .some(tmuxSessions(of: user, socket: socket).last) }
            return .some(tmuxSession(name, of: user, socket: socket))
        }
        switch command {
        case "new-session", "new":
            return tmuxNewSession(rest, as: user, socket: socket, fromUnit: unit)
        case "has-session", "has":
            guard let found = target() else { return noServer }
            guard found != nil else { return .init(exitStatus: 1, output: "can't find session: \(option("-t") ?? "")\n") }
            return .init(exitStatus: 0, output: "")
        case "kill-session":
            guard let found = target() else { return noServer }
            guard let session = found else { return .init(exitStatus: 1, output: "can't find session: \(option("-t") ?? "")\n") }
            endTmuxSessions(of: user, socket: socket, where: { $0.name == session.name }, stopping: stopping)
            return .init(exitStatus: 0, output: "")
        case "kill-server":
            guard tmuxServerOwner(user, socket: socket) != nil else { return noServer }
            endTmuxSessions(of: user, socket: socket, where: { _ in true }, stopping: stopping)
            return .init(exitStatus: 0, output: "")
        case "list-sessions", "ls":
            guard tmuxServerOwner(user, socket: socket) != nil else { return noServer }
            let format =
                option("-F")
                ?? "#{session_name}: #{session_windows} windows (created Sat Nov 29 12:00:00 2025)#{?session_attached, (attached),}"
            return .init(exitStatus: 0, output: tmuxSessions(of: user, socket: socket).map { tmuxFormat(format, $0) + "\n" }.joined())
        case "list-clients", "lsc":
            guard let found = target() else { return noServer }
            let sessions = option("-t") == nil ? tmuxSessions(of: user, socket: socket) : (found.map { [$0] } ?? [])
            if option("-t") != nil && found == nil { return .init(exitStatus: 1, output: "can't find session: \(option("-t")!)\n") }
            var lines = ""
            for session in sessions {
                for client in 0..<session.attachedClients {
                    lines += "/dev/pts/\(client + 1): \(session.name) [120x40 xterm-256color] (utf8)\n"
                }
            }
            return .init(exitStatus: 0, output: lines)
        case "list-panes", "lsp":
            guard let found = target() else { return noServer }
            guard let session = found else { return .init(exitStatus: 1, output: "can't find session: \(option("-t") ?? "")\n") }
            return .init(
                exitStatus: 0, output: tmuxFormat(option("-F") ?? "0: [120x40] [history 0/2000, 0 bytes] %0 (active)", session) + "\n")
        case "display-message", "display":
            guard rest.contains("-p") else {
                return .init(exitStatus: 1, output: "phase0 practice: tmux display-message without -p is not simulated\n")
            }
            guard let found = target() else { return noServer }
            guard let session = found else { return .init(exitStatus: 1, output: "can't find session: \(option("-t") ?? "")\n") }
            let format = rest.last.flatMap { $0.hasPrefix("-") || $0 == option("-t") ? nil : $0 } ?? ""
            return .init(exitStatus: 0, output: tmuxFormat(format, session) + "\n")
        case "show-environment", "showenv":
            guard tmuxServerOwner(user, socket: socket) != nil else { return noServer }
            let environment = tmuxGlobalEnvironment(user, socket: socket)
            let names = rest.filter { !$0.hasPrefix("-") && $0 != option("-t") }
            if let name = names.first {
                guard let value = environment[name] else { return .init(exitStatus: 1, output: "unknown variable: \(name)\n") }
                return .init(exitStatus: 0, output: "\(name)=\(value)\n")
            }
            return .init(exitStatus: 0, output: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined())
        case "attach-session", "attach", "a":
            return .init(exitStatus: 1, output: "open terminal failed: not a terminal\n")
        default:
            return .init(exitStatus: 1, output: "phase0 practice: tmux \(command) is not simulated\n")
        }
    }

    mutating func tmuxNewSession(_ rest: [String], as user: String, socket: String, fromUnit unit: String?) -> CommandResult {
        var detached = false
        var name: String?
        var index = 0
        while index < rest.count, rest[index].hasPrefix("-") {
            let flag = rest[index]
            switch flag {
            case "-d": detached = true
            case "-s", "-c", "-e", "-n", "-x", "-y", "-F", "-f":
                guard index + 1 < rest.count else {
                    return .init(exitStatus: 1, output: "command new-session: \(flag) expects an argument\n")
                }
                if flag == "-s" { name = rest[index + 1] }
                index += 1
            case "-P", "-E", "-D", "-X", "-A": break
            case "--":
                index += 1
                break
            default: return .init(exitStatus: 1, output: "command new-session: unknown flag \(flag)\n")
            }
            if flag == "--" { break }
            index += 1
        }
        guard detached else { return .init(exitStatus: 1, output: "open terminal failed: not a terminal\n") }
        let sessionName = name ?? String(tmuxSessions(of: user, socket: socket).count)
        if sessionName.contains(":") || sessionName.contains(".") {
            return .init(exitStatus: 1, output: "phase0 practice: tmux rewrites ':' and '.' in session names; not simulated\n")
        }
        if tmuxSessions(of: user, socket: socket).contains(where: { $0.name == sessionName }) {
            return .init(exitStatus: 1, output: "duplicate session: \(sessionName)\n")
        }
        // The session joins the running server of its socket, wherever that server came from.
        let owner: String?
        if let existing = tmuxServerOwner(user, socket: socket) { owner = existing } else { owner = unit }
        tmuxSessions.append(SimTmuxSession(user: user, name: sessionName, fromUnit: owner, socket: socket == "default" ? nil : socket))
        return .init(exitStatus: 0, output: "")
    }

    /// Ends the sessions that match; when a unit's server loses its last session outside a
    /// `systemctl stop`, systemd sees its service exit (and restarts it if its unit says so).
    mutating func endTmuxSessions(of user: String, socket: String = "default", where matches: (SimTmuxSession) -> Bool, stopping: Bool) {
        let owner = tmuxServerOwner(user, socket: socket)
        tmuxSessions.removeAll { $0.user == user && $0.socketName == socket && matches($0) }
        if tmuxServerOwner(user, socket: socket) == nil, case .some(.some(let unit)) = owner, !stopping {
            unitMainProcessExited(unit)
        }
    }

    func tmuxFormat(_ format: String, _ session: SimTmuxSession) -> String {
        let pid = tmuxServerPID(session.user, socket: session.socketName) ?? 0
        var text = format.replacing("#{?session_attached, (attached),}", with: session.attachedClients > 0 ? " (attached)" : "")
        let values: [String: String] = [
            "session_name": session.name, "pid": String(pid), "pane_pid": String(pid + 1),
            "session_attached": String(session.attachedClients), "session_windows": "1",
            "socket_path": tmuxSocket(session.user, session.socketName), "session_created": "1764417600",
        ]
        for (key, value) in values { text = text.replacing("#{\(key)}", with: value) }
        return text
    }

    /// `pgrep [-u USER] [-x] [-f] [-a] PATTERN` (substring match); pkill ends what it matches.
    mutating func pgrep(_ args: [String], as caller: String, kill: Bool) -> CommandResult {
        var owner: String?
        var exact = false
        var full = false
        var list = false
        var pattern: String?
        var index = 0
        while index < args.count {
            switch args[index] {
            case "-u", "-U":
                owner = index + 1 < args.count ? args[index + 1] : nil
                index += 1
            case "-x": exact = true
            case "-f": full = true
            case "-a", "-l": list = true
            case "-KILL", "-9", "-TERM", "-15": break
            default: pattern = args[index]
            }
            index += 1
        }
        guard let pattern else { return .init(exitStatus: 2, output: "pgrep: no matching criteria specified\n") }
        let found = simulatedProcesses().filter { process in
            if let owner, process.user != owner { return false }
            let subject = full ? process.commandLine : process.name
            return exact ? subject == pattern : subject.contains(pattern)
        }
        guard !found.isEmpty else { return .init(exitStatus: 1, output: "") }
        guard kill else {
            return .init(
                exitStatus: 0, output: found.map { list ? "\($0.pid) \(full ? $0.commandLine : $0.name)\n" : "\($0.pid)\n" }.joined())
        }
        if caller != "root", found.contains(where: { $0.user != caller }) {
            return .init(exitStatus: 1, output: "pkill: killing pid \(found[0].pid) failed: Operation not permitted\n")
        }
        for process in found { endProcess(process.pid) }
        return .init(exitStatus: 0, output: "")
    }
}
