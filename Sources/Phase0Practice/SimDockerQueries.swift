import Phase0Core
import Phase0Parsers

/// The docker commands that look rather than change: ps, stats, exec (what the container can
/// reach), and curl from the host to Open WebUI.
extension SimulatedSpark {
    func ps(_ args: [String], format: String?) -> CommandResult {
        let all = args.contains("-a") || args.contains("--all")
        var nameFilter: String?
        if let i = args.firstIndex(of: "--filter"), i + 1 < args.count, args[i + 1].hasPrefix("name=") {
            nameFilter = String(args[i + 1].dropFirst(5))
        }
        let rows = docker.containers.filter { container in
            guard all || container.running else { return false }
            guard var filter = nameFilter else { return true }
            let anchoredStart = filter.hasPrefix("^")
            let anchoredEnd = filter.hasSuffix("$")
            if anchoredStart {
                filter.removeFirst()
                if filter.hasPrefix("/") { filter.removeFirst() }
            }
            if anchoredEnd { filter.removeLast() }
            if anchoredStart && anchoredEnd { return container.name == filter }
            if anchoredStart { return container.name.hasPrefix(filter) }
            return container.name.contains(filter)
        }
        if args.contains("-q") || args.contains("--quiet") {
            return .init(exitStatus: 0, output: rows.map { String(containerID($0).prefix(12)) + "\n" }.joined())
        }
        var output = ""
        var table = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
        for container in rows {
            let status =
                container.running ? "Up 2 hours" + (container.image.contains("open-webui") ? " (healthy)" : "") : "Exited (0) 5 minutes ago"
            let row = SimTemplateValue.object([
                ("ID", .string(String(containerID(container).prefix(12)))), ("Names", .string(container.name)),
                ("Image", .string(container.image)), ("Status", .string(status)),
                ("State", .string(container.running ? "running" : "exited")),
            ])
            if let format {
                output += ((try? SimGoTemplate.render(format, row)) ?? "") + "\n"
            } else {
                let ports =
                    container.running
                    ? runConfig(container).publish.map { "\($0.ip.isEmpty ? "0.0.0.0" : $0.ip):\($0.hostPort)->\($0.containerPort)/tcp" }
                        .joined(separator: ", ") : ""
                table.append([
                    String(containerID(container).prefix(12)), container.image, "\"bash start.sh\"", "3 days ago", status, ports,
                    container.name,
                ])
            }
        }
        return .init(exitStatus: 0, output: format == nil ? Self.tabwriter(table) : output)
    }

    func stats(_ names: [String], format: String?) -> CommandResult {
        let chosen =
            names.isEmpty ? docker.containers.filter(\.running) : names.compactMap { containerIndex($0).map { docker.containers[$0] } }
        if chosen.isEmpty && !names.isEmpty {
            return .init(exitStatus: 1, output: "Error response from daemon: No such container: \(names[0])\n")
        }
        var rows = [["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]]
        var output = ""
        for container in chosen {
            let config = runConfig(container)
            let limit = config.memory > 0 ? config.memory : memTotalKiB * 1024
            // Without the guide's env vars Open WebUI loads its own embedding and speech models
            // (the guide: "would bloat idle usage to ~1GB"); uncapped, they grow with use.
            let lean = config.envValue("RAG_EMBEDDING_ENGINE") == "openai"
            let workload: Int64 = (lean ? 312 : config.memory > 0 ? 980 : 5_900) * 1024 * 1024
            let used: Int64 = container.running ? min(workload, limit) : 0
            let percent = Double(used) / Double(limit) * 100
            let percentText = String(Double(Int(percent * 100)) / 100) + "%"
            let usage = "\(Self.dockerSize(used)) / \(Self.dockerSize(limit))"
            let cpu = container.running ? "0.42%" : "0.00%"
            let row = SimTemplateValue.object([
                ("Name", .string(container.name)), ("ID", .string(String(containerID(container).prefix(12)))),
                ("CPUPerc", .string(cpu)), ("MemUsage", .string(usage)),
                ("MemPerc", .string(percentText)),
            ])
            if let format {
                output += ((try? SimGoTemplate.render(format, row)) ?? "") + "\n"
            } else {
                rows.append([
                    String(containerID(container).prefix(12)), container.name, cpu, usage, percentText,
                    container.running ? "1.2MB / 880kB" : "0B / 0B", "41MB / 12MB", container.running ? "14" : "0",
                ])
            }
        }
        return .init(exitStatus: 0, output: format == nil ? Self.tabwriter(rows) : output)
    }

    /// docker's sizes in stats: 312MiB, 1.953GiB (binary units, up to 4 significant digits).
    static func dockerSize(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let rounded = (value * 1000).rounded() / 1000
        var text = String(rounded)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text + units[unit]
    }

    /// Columns padded as docker's tabwriter does (minimum width + 3 spaces; the last unpadded).
    static func tabwriter(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(widths[column] + 3)
            }.joined() + "\n"
        }.joined()
    }

    /// `docker exec NAME curl|wget ... URL`: what the container can reach, by its network.
    func exec(_ args: [String]) -> CommandResult {
        let words = args.filter { !["-i", "-t", "-it"].contains($0) }
        guard let name = words.first, let index = containerIndex(name) else {
            return .init(exitStatus: 1, output: "Error response from daemon: No such container: \(words.first ?? "")\n")
        }
        let container = docker.containers[index]
        guard container.running else {
            return .init(exitStatus: 1, output: "Error response from daemon: container \(containerID(container)) is not running\n")
        }
        let program = words.count > 1 ? words[1] : ""
        guard ["curl", "wget"].contains(program), let url = words.first(where: { $0.hasPrefix("http://") }),
            let (host, port, path) = HTTPAddress(url).map({ ($0.host, $0.port, $0.path) })
        else {
            return .init(
                exitStatus: 126, output: "phase0 practice: docker exec \(words.dropFirst().joined(separator: " ")) is not simulated\n")
        }
        let config = runConfig(container)
        let reachable: Bool
        if host == "host.docker.internal" {
            // host-gateway is the docker0 bridge address: only a listener on it or on all addresses answers.
            reachable = config.addHosts.contains("host.docker.internal:host-gateway") && ollamaReachable(host: "172.17.0.1", port: port)
        } else if Listener.isLoopback(host) {
            reachable = config.network == "host" && ollamaReachable(host: host, port: port)
        } else {
            reachable = ollamaReachable(host: host, port: port)
        }
        guard reachable else {
            return program == "curl"
                ? .init(
                    exitStatus: 7, output: "curl: (7) Failed to connect to \(host) port \(port) after 0 ms: Couldn't connect to server\n")
                : .init(exitStatus: 1, output: "wget: can't connect to remote host: Connection refused\n")
        }
        switch path {
        case "/api/tags":
            return .init(
                exitStatus: 0,
                output: "{\"models\":[" + ollama.models.map { "{\"name\":\"\($0)\",\"model\":\"\($0)\"}" }.joined(separator: ",") + "]}")
        case "/api/version": return .init(exitStatus: 0, output: "{\"version\":\"0.5.7\"}")
        default: return .init(exitStatus: 0, output: "Ollama is running")
        }
    }

    /// curl from the host to Open WebUI (its /health, /api/config, /); nil for other URLs.
    func simulateWebUICurl(_ args: [String]) -> CommandResult? {
        guard let url = args.first(where: { $0.hasPrefix("http://") }),
            let (host, port, path) = HTTPAddress(url).map({ ($0.host, $0.port, $0.path) }),
            Listener.isLoopback(host), ollamaListener()?.port != port
        else { return nil }
        let container = docker.containers.first { webUIListener($0)?.port == port }
        guard container != nil || path == "/health" || path.hasPrefix("/api/config") else { return nil }
        let refused = CommandResult(
            exitStatus: 7, output: "curl: (7) Failed to connect to \(host) port \(port) after 0 ms: Couldn't connect to server\n")
        guard let container, container.running, docker.daemonRunning, let listener = webUIListener(container),
            listener.isLoopback || listener.isWildcard
        else { return refused }
        let fail = args.contains("--fail") || args.contains { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("f") }
        let discard = args.contains("-o") || args.contains("--output")
        let body: String
        switch path {
        case "/health": body = "{\"status\":true}"
        case "/api/config":
            // Open WebUI 0.12.4 (FACTS A1): "onboarding" only while no account exists.
            let signup = runConfig(container).envValue("ENABLE_SIGNUP").map { $0.lowercased() == "true" } ?? true
            body =
                "{" + ((webuiAccounts ?? 0) == 0 ? "\"onboarding\":true," : "")
                + "\"status\":true,\"name\":\"Open WebUI\",\"version\":\"0.12.4\",\"features\":{\"auth\":true,\"enable_signup\":\(signup)}}"
        case "/": body = "<!doctype html><title>Open WebUI</title>"
        default:
            return fail
                ? .init(exitStatus: 22, output: "curl: (22) The requested URL returned error: 404\n")
                : .init(exitStatus: 0, output: "{\"detail\":\"Not Found\"}")
        }
        return .init(exitStatus: 0, output: discard ? "" : body)
    }
}
