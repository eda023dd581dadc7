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
    /// The answers webuiNetwork may take.
    public static let choices = ["auto", "host", "bridge"]

    public static func plan(choice: String, ollamaURL: String, webuiPort: String, host: Host) -> WebUINetworkPlan {
        let ollama = HTTPAddress(ollamaURL) ?? HTTPAddress(host: "", port: 80, path: "/")
        let port = ollama.port
        let seen: [Listener]?
        let shown: String
        switch Probe.listeners(host, port: port) {
        case .found(let listeners):
            seen = listeners
            shown =
                listeners.isEmpty
                ? "nothing listens on port \(port)" : "Ollama listens on " + listeners.map(\.description).joined(separator: ", ")
        case .absent, .unknown:
            seen = nil
            shown = "where Ollama listens could not be read (ss failed)"
        }
        // From the bridge, host.docker.internal is the docker0 address (172.17.0.1 by default).
        let bridgeReaches: Bool? = seen.flatMap { listeners in
            guard !listeners.isEmpty else { return nil }
            if !ollama.isLoopback { return listeners.contains { $0.isWildcard || $0.address == ollama.host } }
            return listeners.contains { $0.isWildcard || $0.address.hasPrefix("172.17.") }
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
