import Phase0Core
import Phase0Parsers

/// The processes of the simulated Spark that phase0 looks at: tmux servers (one per user and
/// socket), the program in a unit's session (tui.py), and programs started by hand (a tui.py or
/// web_serve.py outside the unit, scenario key `runningByHand`). `ps`, `kill`, `tail --pid`,
/// `id` and /proc/PID/cgroup answer from them.
public struct SimProcess: Codable, Equatable, Sendable {
    public var pid: Int
    public var user: String
    public var commandLine: String
    /// The session (on the user's default tmux socket) whose only window runs it, if any.
    public var tmuxSession: String?
}

struct SimProcessView {
    var pid: Int
    var user: String
    var name: String
    var commandLine: String
    var cgroup: String
}

extension SimulatedSpark {
    func userSlice(_ user: String) -> String { "/user.slice/user-\(uid(of: user)).slice/session-2.scope" }

    func simulatedProcesses() -> [SimProcessView] {
        var processes: [SimProcessView] = []
        let servers = Set(tmuxSessions.map { "\($0.user)\u{0}\($0.socketName)" }).sorted()
        for key in servers {
            let parts = key.split(separator: "\u{0}").map(String.init)
            let (user, socket) = (parts[0], parts[1])
            guard let pid = tmuxServerPID(user, socket: socket) else { continue }
            let names = tmuxSessions(of: user, socket: socket).map(\.name).joined(separator: ",")
            let unit = tmuxServerOwner(user, socket: socket) ?? nil
            let cgroup = unit.map { "/system.slice/\($0)" } ?? userSlice(user)
            let flag = socket == "default" ? "" : "-L \(socket) "
            processes.append(
                SimProcessView(
                    pid: pid, user: user, name: "tmux: server", commandLine: "tmux \(flag)new-session -d -s \(names)", cgroup: cgroup))
            if let unit, let program = unitSessionProgram(unit) {
                processes.append(
                    SimProcessView(
                        pid: pid + 1, user: user, name: String(program.first?.split(separator: "/").last ?? "python"),
                        commandLine: program.joined(separator: " "), cgroup: cgroup))
            }
        }
        for process in handProcesses ?? [] {
            let name = String(process.commandLine.split(separator: " ").first?.split(separator: "/").last ?? "")
            processes.append(
                SimProcessView(
                    pid: process.pid, user: process.user, name: name, commandLine: process.commandLine,
                    cgroup: userSlice(process.user)))
        }
        return processes
    }

    /// The process ends: a tmux server takes its sessions with it; a program that was the only
    /// window of a session ends that session (and a unit's server with its last session).
    mutating func endProcess(_ pid: Int) {
        guard let process = simulatedProcesses().first(where: { $0.pid == pid }) else { return }
        if let index = handProcesses?.firstIndex(where: { $0.pid == pid }), let hand = handProcesses?.remove(at: index) {
            if let session = hand.tmuxSession { endTmuxSessions(of: hand.user, where: { $0.name == session }, stopping: false) }
            return
        }
        for session in tmuxSessions where session.user == process.user {
            let server = tmuxServerPID(session.user, socket: session.socketName)
            if server == pid || server.map({ $0 + 1 }) == pid {
                endTmuxSessions(of: session.user, socket: session.socketName, where: { _ in true }, stopping: false)
                return
            }
        }
    }

    /// `ps -eo pid=,user:32=,args=`, `kill [-TERM] PID`, `id -nG USER`.
    mutating func simulateProcessCommand(_ name: String, _ args: [String], as caller: String) -> CommandResult {
        switch name {
        case "ps":
            let lines = simulatedProcesses().map { "\(String($0.pid).leftPadded(7)) \($0.user) \($0.commandLine)\n" }
            return .init(exitStatus: 0, output: lines.joined())
        case "kill":
            guard let pid = args.last.flatMap({ Int($0) }) else { return .init(exitStatus: 2, output: "kill: usage: kill [-TERM] PID\n") }
            guard let process = simulatedProcesses().first(where: { $0.pid == pid }) else {
                return .init(exitStatus: 1, output: "kill: (\(pid)) - No such process\n")
            }
            guard caller == "root" || caller == process.user else {
                return .init(exitStatus: 1, output: "kill: (\(pid)) - Operation not permitted\n")
            }
            endProcess(pid)
            return .init(exitStatus: 0, output: "")
        case "id":
            let user = args.last { !$0.hasPrefix("-") } ?? caller
            guard users.contains(where: { $0.name == user }) else { return .init(exitStatus: 1, output: "id: '\(user)': no such user\n") }
            let groups = [user] + (user == operatorUser ? ["sudo"] : []) + ((dockerGroup ?? []).contains(user) ? ["docker"] : [])
            return .init(exitStatus: 0, output: groups.joined(separator: " ") + "\n")
        default:
            return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }

    /// /proc/PID/cgroup (cgroup v2: one line).
    func procCgroup(_ pid: Int) -> String? {
        simulatedProcesses().first { $0.pid == pid }.map { "0::\($0.cgroup)\n" }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
