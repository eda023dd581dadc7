import Phase0Core
import Phase0Parsers

/// Probes Steps 2 and 3 make on the simulated Spark that belong to no one domain: `ss` (where
/// Ollama listens), the venv's python run by its path, and curl to Open WebUI. Reached from
/// `execute` through one hook, before the program lookup, because these programs come with
/// every Ubuntu (iproute2, procps, systemd) or are files rather than installed programs.
extension SimulatedSpark {
    /// nil when the command is not one of these, so the ordinary dispatch handles it.
    mutating func simulateAgentAndWebUIProbes(_ argv: [String], as user: String) -> CommandResult? {
        guard let program = argv.first else { return nil }
        let name = program.split(separator: "/").last.map(String.init) ?? program
        let args = Array(argv.dropFirst())
        switch name {
        case "ss": return simulateSS(args)
        case "systemd-analyze": return simulateSystemd(name, args, as: user, input: nil)
        case "pgrep", "pkill": return simulateTmux(name, args, as: user)
        case "sleep": return .init(exitStatus: 0, output: "")  // practice never waits
        case "curl": return simulateWebUICurl(args)
        default:
            if program.hasPrefix("/"), let file = files[program], !file.isDirectory {
                return runFile(program, file, args, as: user)
            }
            return nil
        }
    }

    /// A file run by its path: the venv's python answers `--version` (preflight, Step 2).
    func runFile(_ path: String, _ file: SimFile, _ args: [String], as user: String) -> CommandResult {
        let executable =
            user == "root"
            ? file.mode & 0o111 != 0
            : (file.owner == user ? file.mode & 0o100 != 0 : file.mode & 0o001 != 0)
        guard executable else { return .init(exitStatus: 126, output: "\(path): Permission denied\n") }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasPrefix("python"), args == ["--version"] || args == ["-V"] {
            return .init(exitStatus: 0, output: "Python 3.12.3\n")
        }
        return .init(exitStatus: 1, output: "phase0 practice: running \(path) \(args.joined(separator: " ")) is not simulated\n")
    }

    /// Where Ollama listens (its OLLAMA_HOST, "127.0.0.1:11434"); nil when it is not running.
    func ollamaListener() -> Listener? {
        guard services["ollama.service"]?.active == true else { return nil }
        return Listener(local: ollama.listen)
    }

    /// Whether a connection from the host to `host:port` reaches Ollama.
    func ollamaReachable(host: String, port: Int) -> Bool {
        guard let listener = ollamaListener(), listener.port == port else { return false }
        if listener.isWildcard { return true }
        if Listener.isLoopback(host) { return listener.isLoopback }
        return host == listener.address
    }

    /// Whether Ollama answers at `url` (http://HOST:PORT[/path]) from the host.
    func ollamaAnswers(_ url: String) -> Bool {
        guard let address = HTTPAddress(url) else { return false }
        return ollamaReachable(host: address.host, port: address.port)
    }

    /// `ss -Hltn 'sport = :PORT'`: the TCP listeners on a port (Ollama, Open WebUI).
    func simulateSS(_ args: [String]) -> CommandResult {
        let filter = args.filter { !$0.hasPrefix("-") }.joined(separator: " ")
        let wantedPort = filter.split(separator: ":").last.flatMap { Int($0.trimmingWhitespace()) }
        var listeners: [(String, Int)] = []
        if let ollama = ollamaListener() { listeners.append((ollama.address, ollama.port)) }
        for container in docker.containers where container.running && docker.daemonRunning {
            if let web = webUIListener(container) { listeners.append((web.address, web.port)) }
        }
        let header =
            args.contains(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("H") })
            ? "" : "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"
        var lines = header
        for (host, port) in listeners where wantedPort == nil || wantedPort == port {
            let shown = host.contains(":") ? "[\(host)]" : (host.isEmpty ? "*" : host)
            lines += "LISTEN 0      4096   \(shown):\(port)  \(host.contains(":") ? "[::]:*" : "0.0.0.0:*")\n"
        }
        return .init(exitStatus: 0, output: lines)
    }
}
