import Phase0Core
import Phase0Parsers

/// The read-only views a trainee uses at a drill's prompt that the wizard itself never needs:
/// free, cat, ls, sysctl, ss with its real layout, ps, uptime. Each prints in the real tool's
/// format (checked against the real tools in TeachingFormatTests where they run here).
extension SimulatedSpark {
    /// Commands of the drill prompt beyond `execute`; nil hands the command to `execute`.
    mutating func teachingCommand(_ name: String, _ args: [String], as user: String) -> CommandResult? {
        switch name {
        case "free": return free(args)
        case "cat":
            guard !args.isEmpty else { return .init(exitStatus: 0, output: "") }
            var output = ""
            for path in args where !path.hasPrefix("-") {
                guard let text = readable(path) else {
                    return .init(
                        exitStatus: 1,
                        output: output
                            + "cat: \(path): \(files[path]?.isDirectory == true ? "Is a directory" : "No such file or directory")\n")
                }
                output += text
            }
            return .init(exitStatus: 0, output: output)
        case "ls": return list(args)
        case "sysctl":
            if args == ["--system"] { return sysctlSystem(as: user) }
            if args.count == 1, args[0] == "vm.swappiness" || args[0] == "vm/swappiness" {
                return .init(exitStatus: 0, output: "vm.swappiness = \(swappiness)\n")
            }
            if args.count == 1, args[0].hasPrefix("vm.swappiness=") { return execute(["sysctl", "-w", args[0]], as: user, input: nil) }
            return nil
        case "systemd-analyze" where args.starts(with: ["cat-config"]):
            return args.dropFirst().first.map { $0.hasPrefix("sysctl.d") || $0.hasSuffix("/sysctl.d") } == true
                ? catConfigSysctl()
                : .init(exitStatus: 1, output: "phase0 practice: only `systemd-analyze cat-config sysctl.d` is simulated here\n")
        case "ss": return sockets(args, as: user)
        case "uptime":
            return .init(
                exitStatus: 0,
                output: " 09:14:02 up \((boots ?? 0) > 0 ? "6 min" : "12 days,  3:41"),  1 user,  load average: 0.84, 0.91, 0.88\n")
        case "ps": return processTable()
        case "echo":
            return .init(
                exitStatus: 0,
                output: (args.first == "-n" ? args.dropFirst() : args[...]).joined(separator: " ") + (args.first == "-n" ? "" : "\n"))
        case "printf":
            return .init(
                exitStatus: 0,
                output: (args.first ?? "").replacing("\\n", with: "\n").replacing("%s", with: args.dropFirst().joined(separator: " ")))
        case "whoami": return .init(exitStatus: 0, output: user + "\n")
        case "hostname": return .init(exitStatus: 0, output: hostname + "\n")
        case "id":
            let uid = self.uid(of: user)
            return .init(
                exitStatus: 0,
                output: uid == 0
                    ? "uid=0(root) gid=0(root) groups=0(root)\n"
                    : "uid=\(uid)(\(user)) gid=\(uid)(\(user)) groups=\(uid)(\(user)),4(adm),27(sudo),999(docker)\n")
        case "cd", "true": return .init(exitStatus: 0, output: "")
        case "pwd": return .init(exitStatus: 0, output: (users.first { $0.name == user }?.home ?? "/") + "\n")
        case "false": return .init(exitStatus: 1, output: "")
        default: return teachingChange(name, args, as: user)
        }
    }

    /// A file's text as `cat` sees it: the files, and /proc the way the kernel shows it.
    public func readable(_ path: String) -> String? {
        switch path {
        case "/proc/swaps": return ProcSwaps.render(swaps)
        case "/proc/meminfo": return procMeminfo
        case "/proc/sys/vm/swappiness": return "\(swappiness)\n"
        default:
            guard let file = files[path], !file.isDirectory else { return nil }
            return file.content ?? ""
        }
    }

    /// `free [-h|-m|-g|-k]`: procps' layout (12-wide right-aligned fields after an 8-wide label).
    func free(_ args: [String]) -> CommandResult {
        let totalKiB = memTotalKiB
        let availableKiB = memAvailableKiB
        // MemAvailable is free memory plus the part of the page cache that can be dropped.
        let freeKiB = availableKiB * 7 / 10
        let cacheKiB = min(totalKiB - freeKiB, 612 * 1024)
        let sharedKiB: Int64 = 41 * 1024
        let usedKiB = max(0, totalKiB - freeKiB - cacheKiB)
        let swapTotal = swaps.reduce(Int64(0)) { $0 + $1.sizeKiB }
        let swapUsed = swaps.reduce(Int64(0)) { $0 + $1.usedKiB }
        let human = args.contains { $0 == "-h" || $0 == "--human" }
        func show(_ kiB: Int64) -> String {
            if human { return Self.freeHuman(kiB) }
            if args.contains("-g") { return String(kiB / 1024 / 1024) }
            if args.contains("-m") { return String(kiB / 1024) }
            return String(kiB)
        }
        func row(_ label: String, _ values: [Int64]) -> String {
            label.padding(8) + values.map { String(repeating: " ", count: max(1, 12 - show($0).count)) + show($0) }.joined() + "\n"
        }
        let header = String(repeating: " ", count: 15) + "total        used        free      shared  buff/cache   available\n"
        return .init(
            exitStatus: 0,
            output: header + row("Mem:", [totalKiB, usedKiB, freeKiB, sharedKiB, cacheKiB, availableKiB])
                + row("Swap:", [swapTotal, swapUsed, swapTotal - swapUsed]))
    }

    /// procps' `-h`: B, Ki, Mi, Gi, Ti; one decimal below 10, none from 10.
    static func freeHuman(_ kiB: Int64) -> String {
        if kiB == 0 { return "0B" }
        var value = Double(kiB)
        var unit = 0
        let units = ["Ki", "Mi", "Gi", "Ti", "Pi"]
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if value < 10 {
            let tenths = (value * 10).rounded()
            return tenths >= 100 ? "10\(units[unit])" : "\(Int(tenths) / 10).\(Int(tenths) % 10)\(units[unit])"
        }
        return "\(Int(value.rounded()))\(units[unit])"
    }

    /// `ls [-l] PATH...`: names, or long lines with mode, owner, size.
    func list(_ args: [String]) -> CommandResult {
        let long = args.contains { $0.hasPrefix("-") && $0.contains("l") }
        var output = ""
        var status: Int32 = 0
        for path in args where !path.hasPrefix("-") {
            guard let file = files[path] else {
                output += "ls: cannot access '\(path)': No such file or directory\n"
                status = 2
                continue
            }
            let entries: [(String, SimFile)] =
                file.isDirectory && !args.contains("-d")
                ? files.filter { parentDirectory($0.key) == path && $0.key != path }.sorted { $0.key < $1.key }.map {
                    (String($0.key.split(separator: "/").last ?? ""), $0.value)
                }
                : [(path, file)]
            for (name, entry) in entries {
                output +=
                    long ? "\(Self.modeString(entry)) 1 \(entry.owner) \(entry.owner) \(entry.size) Nov 29 12:00 \(name)\n" : name + "\n"
            }
        }
        return .init(exitStatus: status, output: output)
    }

    /// `ps aux`: the daemons that run and the tmux servers with their programs.
    func processTable() -> CommandResult {
        var rows: [(String, Int, String)] = [("root", 1, "/sbin/init splash")]
        if services["ollama.service"]?.active == true { rows.append(("ollama", 2211, "/usr/local/bin/ollama serve")) }
        if docker.daemonRunning { rows.append(("root", 1502, "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock")) }
        if services["tailscaled.service"]?.active == true {
            rows.append(("root", 1377, "/usr/sbin/tailscaled --state=/var/lib/tailscale/tailscaled.state"))
        }
        for container in docker.containers where container.running && docker.daemonRunning {
            rows.append(
                (
                    "root", 5120,
                    "/usr/local/bin/python3 -m uvicorn open_webui.main:app --host 0.0.0.0 --port 8080 (container \(container.name))"
                ))
        }
        for process in simulatedProcesses() { rows.append((process.user, process.pid, process.commandLine)) }
        var text = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
        for (user, pid, command) in rows.sorted(by: { $0.1 < $1.1 }) {
            let pidText = String(pid)
            text +=
                user.padding(8) + String(repeating: " ", count: max(1, 8 - pidText.count)) + pidText
                + "  0.1  0.0  23456 12288 ?        Ss   Nov29   0:04 " + command + "\n"
        }
        return .init(exitStatus: 0, output: text)
    }

    static func modeString(_ file: SimFile) -> String {
        let bits = ["r", "w", "x"]
        return (file.isDirectory ? "d" : "-")
            + (0..<9).map { index in
                file.mode & (0o400 >> UInt32(index)) != 0 ? bits[index % 3] : "-"
            }.joined()
    }

    /// `ss -ltn[p]` in iproute2's layout: address right-aligned and port left-aligned around
    /// the colon, widths from the content, the process column only for `-p` (and only what the
    /// caller may see: root sees every process).
    func sockets(_ args: [String], as user: String) -> CommandResult {
        let flags = args.filter { $0.hasPrefix("-") }.joined()
        let filter = args.filter { !$0.hasPrefix("-") }.joined(separator: " ")
        let wanted = filter.split(separator: ":").last.flatMap { Int($0.trimmingWhitespace()) }
        var rows: [SSRow] = [SSRow(address: "0.0.0.0", port: 22, process: "sshd", pid: 1021, fd: 3, owner: "root")]
        if let ollama = ollamaListener() {
            rows.append(SSRow(address: ollama.address, port: ollama.port, process: "ollama", pid: 2211, fd: 3, owner: "ollama"))
        }
        for container in docker.containers where container.running && docker.daemonRunning {
            guard let listener = webUIListener(container) else { continue }
            let (address, port) = (listener.address, listener.port)
            let host = runConfig(container).network == "host"
            rows.append(
                SSRow(
                    address: address, port: port, process: host ? "python3" : "docker-proxy", pid: host ? 5120 : 5011, fd: host ? 19 : 4,
                    owner: "root"))
        }
        rows = rows.filter { wanted == nil || $0.port == wanted }
        let showProcess = flags.contains("p")
        let text = SSRow.render(rows, header: !flags.contains("H"), process: showProcess ? { $0.owner == user || user == "root" } : nil)
        return .init(exitStatus: 0, output: text)
    }
}

struct SSRow {
    var address: String
    var port: Int
    var process: String
    var pid: Int
    var fd: Int
    var owner: String

    var shownAddress: String { address.contains(":") ? "[\(address)]" : (address == "" || address == "*" ? "*" : address) }
    var peer: String { address.contains(":") ? "[::]" : "0.0.0.0" }

    static func render(_ rows: [SSRow], header: Bool, process visible: ((SSRow) -> Bool)?) -> String {
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        let cells = rows.map { row in visible.map { $0(row) ? " users:((\"\(row.process)\",pid=\(row.pid),fd=\(row.fd)))" : "" } ?? "" }
        let local = max(header ? 13 : 0, rows.map(\.shownAddress.count).max() ?? 0)
        let port = max(header ? 4 : 0, rows.map { String($0.port).count }.max() ?? 0)
        let peer = max(header ? 12 : 0, rows.map(\.peer.count).max() ?? 0)
        let peerPort = header ? 4 : 1
        let processWidth = header ? max(7, cells.map(\.count).max() ?? 0) : (cells.map(\.count).max() ?? 0)
        var text = ""
        if header {
            text +=
                "State  Recv-Q Send-Q " + right("Local Address", local) + ":" + "Port".padding(port) + " "
                + right("Peer Address", peer) + ":" + "Port".padding(peerPort) + "Process".padding(processWidth) + "\n"
        }
        for (row, cell) in zip(rows, cells) {
            text +=
                "LISTEN 0      " + "4096".padding(6) + " " + right(row.shownAddress, local) + ":" + String(row.port).padding(port) + " "
                + right(row.peer, peer) + ":" + "*".padding(peerPort) + cell.padding(processWidth) + "\n"
        }
        return text
    }
}
