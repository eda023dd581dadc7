import Phase0Core
import Phase0Parsers

/// Where Ollama listens, and which network Open WebUI's container therefore needs.
///
/// The guide's route (bridge network, `--add-host=host.docker.internal:host-gateway`) arrives
/// at the host on the docker0 bridge address. Ollama listens on 127.0.0.1 by default, so that
/// route gets "connection refused". The host-network variant keeps Open WebUI on 127.0.0.1 and
/// reaches Ollama there; phase0 never changes where Ollama listens (0.0.0.0 would expose its
/// unauthenticated API to every network the Spark is on).
public struct WebUINetworkPlan: Equatable, Sendable {
    public var hostNetwork: Bool
    /// Why, in the operator's words.
    public var reason: String
    /// Set when the chosen network cannot reach Ollama.
    public var refusal: String?
    /// False when `auto` could not see where Ollama listens and fell back to the host network.
    public var determined = true
}

public enum WebUINetwork {
    /// Listening addresses on `port`, from `ss -Hltn 'sport = :PORT'` ("127.0.0.1", "::", "*"...).
    public static func listeners(port: Int, host: Host) -> [String]? {
        guard let text = host.output(["ss", "-Hltn", "sport = :\(port)"]) else { return nil }
        return parseListeners(text, port: port)
    }

    static func parseListeners(_ text: String, port: Int) -> [String] {
        var addresses: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // State Recv-Q Send-Q Local:Port Peer:Port: the local address is the fourth field.
            guard fields.count >= 4, fields[0] == "LISTEN" else { continue }
            let local = fields[3]
            guard let colon = local.lastIndex(of: ":"), Int(local[local.index(after: colon)...]) == port else { continue }
            var address = String(local[..<colon])
            if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
            if let zone = address.firstIndex(of: "%") { address = String(address[..<zone]) }
            addresses.append(address)
        }
        return addresses
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }

    static func isWildcard(_ address: String) -> Bool { ["0.0.0.0", "::", "*"].contains(address) }

    /// (host, port) of an http://HOST:PORT URL (validated before it gets here).
    static func hostAndPort(_ url: String) -> (String, Int) {
        let authority = url.dropFirst("http://".count).split(separator: "/").first ?? ""
        let parts = authority.split(separator: ":")
        return (String(parts.first ?? ""), parts.count > 1 ? Int(parts[1]) ?? 80 : 80)
    }

    public static func plan(choice: String, ollamaURL: String, webuiPort: String, host: Host) -> WebUINetworkPlan {
        let (ollamaHost, port) = hostAndPort(ollamaURL)
        let seen = listeners(port: port, host: host)
        let shown =
            seen.map {
                $0.isEmpty ? "nothing listens on port \(port)" : "Ollama listens on " + $0.map { "\($0):\(port)" }.joined(separator: ", ")
            }
            ?? "where Ollama listens could not be read (ss failed)"
        // From the bridge, host.docker.internal is the docker0 address (172.17.0.1 by default).
        let bridgeReaches: Bool? = seen.flatMap { addresses in
            guard !addresses.isEmpty else { return nil }
            if !isLoopback(ollamaHost) { return addresses.contains { isWildcard($0) || $0 == ollamaHost } }
            return addresses.contains { isWildcard($0) || $0.hasPrefix("172.17.") }
        }
        let hostReason =
            "the container shares the host's network and listens on 127.0.0.1:\(webuiPort) only, reaching Ollama at \(ollamaURL); where Ollama listens is not changed"
        switch choice {
        case "host":
            return WebUINetworkPlan(hostNetwork: true, reason: "host network, as answered (webuiNetwork=host): \(hostReason) (\(shown))")
        case "bridge":
            if bridgeReaches == false {
                return WebUINetworkPlan(
                    hostNetwork: false, reason: "bridge network, as answered (webuiNetwork=bridge)",
                    refusal:
                        "\(shown): the guide's host-gateway route reaches the docker0 address, where nothing answers (\"connection refused\"). Answer webuiNetwork=host (or auto) for the loopback-only host-network variant. phase0 will not make Ollama listen on 0.0.0.0: that would expose its unauthenticated API to every network the Spark is on."
                )
            }
            return WebUINetworkPlan(hostNetwork: false, reason: "the guide's bridge network, as answered (webuiNetwork=bridge; \(shown))")
        default:
            if bridgeReaches == true {
                return WebUINetworkPlan(hostNetwork: false, reason: "the guide's bridge network: \(shown), which host-gateway reaches")
            }
            let why =
                bridgeReaches == false
                ? "\(shown) only, which the guide's host-gateway route cannot reach (\"connection refused\")"
                : "\(shown), so the host-network variant, which works wherever Ollama listens on this machine, is the safe choice"
            return WebUINetworkPlan(hostNetwork: true, reason: "host network: \(why); \(hostReason)", determined: bridgeReaches != nil)
        }
    }
}
