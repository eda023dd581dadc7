import Phase0Core
import Phase0Parsers

/// curl / ollama on the simulated Spark (Steps 2–4, preflight, troubleshoot). A request is
/// routed the way the real network would route it: Ollama answers only while ollama.service
/// is active, and only where it listens (loopback by default, so a bridge container reaching
/// it through host-gateway is refused, the guide's Open WebUI pitfall). tailscale is in
/// SimTailscale.swift.

/// Where a simulated request comes from: the Spark itself, or inside a container. The
/// simulation's own `docker exec NAME curl` is SimDockerQueries.exec; `.container` serves the
/// tests' docker stand-in (Tests/Phase0Tests/StepsTestSupport.swift) and goes with it.
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
        guard let url, let target = HTTPAddress(url) else {
            return .init(exitStatus: 3, output: "curl: (3) URL rejected: Malformed input to a URL function\n")
        }
        let (host, port, path) = (target.host, target.port, target.path)
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

    /// Routes a request the way the Spark's network would.
    func request(host name: String, port: Int, path: String, from origin: SimOrigin) -> SimHTTPReply {
        let loopback = Listener.isLoopback(name)
        switch origin {
        case .host:
            if loopback || name == hostname { return hostService(port: port, path: path, viaLoopback: true) }
            if name == tailscale.dnsName { return hostService(port: port, path: path, viaLoopback: false) }
            return .unresolved(host: name)
        case .container(let container):
            let config = runConfig(container)
            let gateway = config.addHosts.contains("host.docker.internal:host-gateway")
            if config.network == "host" {
                if loopback { return hostService(port: port, path: path, viaLoopback: true) }
                return name == "host.docker.internal" && gateway
                    ? hostService(port: port, path: path, viaLoopback: false) : .unresolved(host: name)
            }
            if loopback {
                // The container's own loopback: only Open WebUI itself listens there (8080).
                return port == 8080 ? webUIReply(path) : .refused(host: name, port: port)
            }
            if name == "host.docker.internal" {
                return gateway ? hostService(port: port, path: path, viaLoopback: false) : .unresolved(host: name)
            }
            return .unresolved(host: name)
        }
    }

    /// A service on the Spark. Through loopback every listener answers; from a container or
    /// the tailnet only listeners on all addresses do.
    func hostService(port: Int, path: String, viaLoopback: Bool) -> SimHTTPReply {
        if let listener = ollamaListener(), listener.port == port {
            guard viaLoopback || !listener.isLoopback else { return .refused(host: "host", port: port) }
            return ollamaReply(path)
        }
        for container in docker.containers where container.running && docker.daemonRunning {
            guard let listener = webUIListener(container), listener.port == port else { continue }
            guard viaLoopback || !listener.isLoopback else { return .refused(host: "host", port: port) }
            return webUIReply(path)
        }
        return .refused(host: viaLoopback ? "127.0.0.1" : "host", port: port)
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
}
