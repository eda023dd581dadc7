import Phase0Core
import Phase0Parsers

/// curl / ollama / ss on the simulated Spark (Steps 2–4, preflight, troubleshoot). A request is
/// routed the way the real network would route it: Ollama answers only while ollama.service
/// is active, and only where it listens (loopback by default, so a bridge container reaching
/// it through host-gateway is refused, the guide's Open WebUI pitfall). tailscale is in
/// SimTailscale.swift.

/// Where a simulated request comes from: the Spark itself, or inside a container (SimDocker's
/// `docker exec NAME curl ...` calls `simulateCurl(_:from: .container(...))`).
public enum SimOrigin: Sendable {
    case host
    case container(SimContainer)
}

/// What answered a simulated request.
enum SimHTTPReply {
    case response(status: Int, body: String)
    case refused(host: String, port: Int)
    case unresolved(host: String)
}

extension SimulatedSpark {
    static let ollamaVersion = "0.6.5"

    func simulateHTTP(_ name: String, _ args: [String]) -> CommandResult {
        name == "ollama" ? simulateOllamaCLI(args) : simulateCurl(args, from: .host)
    }

    /// curl as the steps use it: -f -s -S (alone or combined), --max-time N, -m N, -o FILE,
    /// -w FORMAT (only %{http_code}), and one http:// URL.
    public func simulateCurl(_ args: [String], from origin: SimOrigin) -> CommandResult {
        var fail = false
        var silent = false
        var showError = false
        var writeOut: String?
        var url: String?
        var index = 0
        while index < args.count {
            let arg = args[index]
            switch arg {
            case "--max-time", "-m", "--connect-timeout", "-o", "--output": index += 1
            case "-w", "--write-out":
                index += 1
                writeOut = index < args.count ? args[index] : nil
            case "--fail": fail = true
            case "--silent": silent = true
            case "--show-error": showError = true
            default:
                if arg.hasPrefix("http://") || arg.hasPrefix("https://") {
                    url = arg
                } else if arg.hasPrefix("-") && !arg.hasPrefix("--") {
                    fail = fail || arg.contains("f")
                    silent = silent || arg.contains("s")
                    showError = showError || arg.contains("S")
                } else if !arg.hasPrefix("-") {
                    url = url ?? arg
                }
            }
            index += 1
        }
        guard let url, let target = Self.httpTarget(url) else {
            return .init(exitStatus: 3, output: "curl: (3) URL rejected: Malformed input to a URL function\n")
        }
        let (host, port, path) = target
        let error = !silent || showError
        switch request(host: host, port: port, path: path, from: origin) {
        case .unresolved(let name):
            return .init(exitStatus: 6, output: error ? "curl: (6) Could not resolve host: \(name)\n" : "")
        case .refused(let name, let port):
            return .init(
                exitStatus: 7,
                output: error ? "curl: (7) Failed to connect to \(name) port \(port) after 0 ms: Couldn't connect to server\n" : "")
        case .response(let status, let body):
            let written = writeOut.map { $0.replacing("%{http_code}", with: String(status)) } ?? ""
            if fail && status >= 400 {
                return .init(exitStatus: 22, output: (error ? "curl: (22) The requested URL returned error: \(status)\n" : "") + written)
            }
            return .init(exitStatus: 0, output: (args.contains("-o") || args.contains("--output") ? "" : body) + written)
        }
    }

    /// (host, port, path) of an http URL; the port defaults to 80.
    static func httpTarget(_ url: String) -> (String, Int, String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        let pieces = authority.split(separator: ":")
        guard let host = pieces.first.map(String.init), !host.isEmpty else { return nil }
        guard pieces.count <= 2, let port = pieces.count == 2 ? Int(pieces[1]) : 80 else { return nil }
        return (host, port, path)
    }

    /// Routes a request the way the Spark's network would.
    func request(host name: String, port: Int, path: String, from origin: SimOrigin) -> SimHTTPReply {
        let loopbackNames = ["127.0.0.1", "localhost", "::1", "[::1]"]
        switch origin {
        case .host:
            if loopbackNames.contains(name) || name == hostname { return hostService(port: port, path: path, viaLoopback: true) }
            if name == tailscale.dnsName { return hostService(port: port, path: path, viaLoopback: false) }
            return .unresolved(host: name)
        case .container(let container):
            let network = SimContainerNetwork(container)
            if network.hostNetwork {
                if loopbackNames.contains(name) { return hostService(port: port, path: path, viaLoopback: true) }
                return name == "host.docker.internal" && network.addsHostGateway
                    ? hostService(port: port, path: path, viaLoopback: false) : .unresolved(host: name)
            }
            if loopbackNames.contains(name) {
                // The container's own loopback: only Open WebUI itself listens there (8080).
                return port == network.internalPort ? webUIReply(path) : .refused(host: name, port: port)
            }
            if name == "host.docker.internal" {
                return network.addsHostGateway ? hostService(port: port, path: path, viaLoopback: false) : .unresolved(host: name)
            }
            return .unresolved(host: name)
        }
    }

    /// A service on the Spark. Through loopback every listener answers; from a container or
    /// the tailnet only listeners on all addresses do.
    func hostService(port: Int, path: String, viaLoopback: Bool) -> SimHTTPReply {
        if let listen = ollamaListenAddress, listen.port == port, services["ollama.service"]?.active == true {
            guard viaLoopback || !Self.isLoopbackHost(listen.address) else { return .refused(host: "host", port: port) }
            return ollamaReply(path)
        }
        for container in docker.containers where container.running && docker.daemonRunning {
            let network = SimContainerNetwork(container)
            guard network.hostPort == port else { continue }
            guard viaLoopback || !Self.isLoopbackHost(network.hostAddress) else { return .refused(host: "host", port: port) }
            return webUIReply(path)
        }
        return .refused(host: viaLoopback ? "127.0.0.1" : "host", port: port)
    }

    var ollamaListenAddress: (address: String, port: Int)? {
        guard let colon = ollama.listen.lastIndex(of: ":"), let port = Int(ollama.listen[ollama.listen.index(after: colon)...]) else {
            return nil
        }
        return (String(ollama.listen[..<colon]), port)
    }

    static func isLoopbackHost(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "localhost" || address == "::1" || address == "[::1]"
    }

    func ollamaReply(_ path: String) -> SimHTTPReply {
        switch path {
        case "/": return .response(status: 200, body: "Ollama is running")
        case "/api/version": return .response(status: 200, body: "{\"version\":\"\(Self.ollamaVersion)\"}")
        case "/api/tags":
            let models = ollama.models.map { model in
                "{\"name\":\"\(model)\",\"model\":\"\(model)\",\"modified_at\":\"2025-05-01T10:00:00Z\",\"size\":139586437120,\"digest\":\"8a5e0f2b7c\"}"
            }
            return .response(status: 200, body: "{\"models\":[\(models.joined(separator: ","))]}")
        default: return .response(status: 404, body: "404 page not found")
        }
    }

    func webUIReply(_ path: String) -> SimHTTPReply {
        switch path {
        case "/health": return .response(status: 200, body: "{\"status\":true}")
        case "/": return .response(status: 200, body: "<!doctype html><html><head><title>Open WebUI</title></head></html>")
        default: return .response(status: 200, body: "{}")
        }
    }

    /// `ollama list`, `ollama --version`: the CLI talks to the local API.
    func simulateOllamaCLI(_ args: [String]) -> CommandResult {
        let running = services["ollama.service"]?.active == true
        switch args {
        case ["--version"], ["-v"]:
            return .init(
                exitStatus: 0,
                output: running
                    ? "ollama version is \(Self.ollamaVersion)\n"
                    : "Warning: could not connect to a running Ollama instance\nWarning: client version is \(Self.ollamaVersion)\n")
        case ["list"], ["ls"]:
            guard running else { return .init(exitStatus: 1, output: "Error: could not connect to ollama app, is it running?\n") }
            var text = "NAME".padding(24) + "ID              SIZE      MODIFIED\n"
            for model in ollama.models { text += model.padding(24) + "8a5e0f2b7c1d    139 GB    2 weeks ago\n" }
            return .init(exitStatus: 0, output: text)
        default:
            return .init(exitStatus: 1, output: "phase0 practice: ollama \(args.joined(separator: " ")) is not simulated\n")
        }
    }

    /// `ss -Hltn [FILTER...]`: listening TCP sockets; a filter `sport = :PORT` keeps one port.
    func simulateSockets(_ args: [String]) -> CommandResult {
        let filter = args.joined(separator: " ")
        var wanted: Int?
        if let colon = filter.firstRange(of: "sport = :") {
            wanted = Int(filter[colon.upperBound...].prefix { $0.isNumber })
        }
        var listeners: [(String, Int)] = [("0.0.0.0", 22)]
        if let listen = ollamaListenAddress, services["ollama.service"]?.active == true { listeners.append(listen) }
        for container in docker.containers where container.running && docker.daemonRunning {
            let network = SimContainerNetwork(container)
            if let port = network.hostPort { listeners.append((network.hostAddress, port)) }
        }
        let header =
            args.contains { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("H") }
            ? ""
            : "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
        let lines = listeners.filter { wanted == nil || $0.1 == wanted }.map { address, port in
            "LISTEN 0      4096   " + "\(address):\(port)".padding(20) + " 0.0.0.0:*\n"
        }
        return .init(exitStatus: 0, output: header + lines.joined())
    }
}

/// How a container reaches and is reached, read from the `docker run` argv that made it. A
/// container without a recorded argv (made by a scenario) is taken to be the guide's command.
struct SimContainerNetwork {
    var hostNetwork = false
    var addsHostGateway = false
    /// Where Open WebUI listens inside (8080, or PORT in host-network mode).
    var internalPort = 8080
    /// Its port on the Spark, and the address bound there.
    var hostPort: Int?
    var hostAddress = "127.0.0.1"

    init(_ container: SimContainer) {
        guard !container.argv.isEmpty else {
            addsHostGateway = true
            hostPort = 3000
            return
        }
        var environment: [String: String] = [:]
        var publish: String?
        let argv = container.argv
        var index = 0
        func value(_ flag: String, _ long: String? = nil) -> String? {
            let arg = argv[index]
            for name in [flag, long].compactMap({ $0 }) {
                if arg == name, index + 1 < argv.count {
                    index += 1
                    return argv[index]
                }
                if arg.hasPrefix(name + "=") { return String(arg.dropFirst(name.count + 1)) }
            }
            return nil
        }
        while index < argv.count {
            if let network = value("--network", "--net") {
                hostNetwork = network == "host"
            } else if let host = value("--add-host") {
                addsHostGateway = addsHostGateway || host == "host.docker.internal:host-gateway"
            } else if let env = value("-e", "--env"), let equals = env.firstIndex(of: "=") {
                environment[String(env[..<equals])] = String(env[env.index(after: equals)...])
            } else if let mapping = value("-p", "--publish") {
                publish = mapping
            }
            index += 1
        }
        if hostNetwork {
            internalPort = Int(environment["PORT"] ?? "") ?? 8080
            hostPort = internalPort
            hostAddress = environment["HOST"] ?? "0.0.0.0"
        } else if let publish {
            // ADDRESS:HOSTPORT:CONTAINERPORT or HOSTPORT:CONTAINERPORT
            let parts = publish.split(separator: ":").map(String.init)
            if parts.count == 3 {
                hostAddress = parts[0]
                hostPort = Int(parts[1])
                internalPort = Int(parts[2]) ?? 8080
            }
            if parts.count == 2 {
                hostAddress = "0.0.0.0"
                hostPort = Int(parts[0])
                internalPort = Int(parts[1]) ?? 8080
            }
        }
    }
}
