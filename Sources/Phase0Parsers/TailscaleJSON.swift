import FoundationEssentials

/// What Step 4 needs from `tailscale status --json` (tailscale's ipnstate.Status): whether
/// the node is connected, its MagicDNS name, and whether HTTPS is enabled for the tailnet.
/// HTTPS needs both the "https" node capability (Self.CapMap, or the older Self.Capabilities)
/// and a certificate domain (CertDomains): without them `tailscale serve` prints an enable
/// URL instead of serving, and may still exit 0.
public struct TailscaleStatus: Equatable, Sendable {
    /// "Running" when connected; "NeedsLogin", "Stopped", "Starting", "NoState" otherwise.
    public var backendState: String
    /// Self.DNSName without its trailing dot, e.g. spark-2b7c.tail2b7c.ts.net.
    public var dnsName: String?
    public var online: Bool
    public var capabilities: Set<String>
    public var certDomains: [String]
    public var authURL: String?

    public var connected: Bool { backendState == "Running" }
    public var hasHTTPSCapability: Bool { capabilities.contains("https") }
    public var httpsEnabled: Bool { hasHTTPSCapability && !certDomains.isEmpty }

    /// The address the phone opens: https://NAME (no trailing dot, no port).
    public var serveURL: String? { dnsName.map { "https://\($0)" } }

    public static func parse(_ text: String) throws -> TailscaleStatus {
        let decoded = try JSONDecoder().decode(StatusJSON.self, from: Data(jsonObject(in: text).utf8))
        var capabilities = Set(decoded.selfNode?.capMap?.keys.map { $0 } ?? [])
        capabilities.formUnion(decoded.selfNode?.capabilities ?? [])
        var dns = decoded.selfNode?.dnsName ?? ""
        while dns.hasSuffix(".") { dns.removeLast() }
        return TailscaleStatus(
            backendState: decoded.backendState ?? "NoState", dnsName: dns.isEmpty ? nil : dns,
            online: decoded.selfNode?.online ?? false, capabilities: capabilities,
            certDomains: decoded.certDomains ?? [], authURL: decoded.authURL.flatMap { $0.isEmpty ? nil : $0 })
    }

    private struct StatusJSON: Decodable {
        var backendState: String?
        var authURL: String?
        var selfNode: PeerJSON?
        var certDomains: [String]?
        enum CodingKeys: String, CodingKey {
            case backendState = "BackendState"
            case authURL = "AuthURL"
            case selfNode = "Self"
            case certDomains = "CertDomains"
        }
    }

    private struct PeerJSON: Decodable {
        var dnsName: String?
        var online: Bool?
        var capMap: [String: Ignored?]?
        var capabilities: [String]?
        enum CodingKeys: String, CodingKey {
            case dnsName = "DNSName"
            case online = "Online"
            case capMap = "CapMap"
            case capabilities = "Capabilities"
        }
    }
}

/// The part of `tailscale serve status --json` (tailscale's ipn.ServeConfig) Step 4 checks:
/// TCP maps a port to {"HTTPS": true}; Web maps "HOST:PORT" to handlers by mount point, each
/// with a Proxy target such as http://127.0.0.1:3000.
public struct ServeConfig: Equatable, Sendable {
    /// Ports tailscaled terminates HTTPS on.
    public var httpsPorts: Set<Int>
    /// "HOST:PORT" -> mount point -> proxy target.
    public var proxies: [String: [String: String]]

    public var isEmpty: Bool { httpsPorts.isEmpty && proxies.isEmpty }

    /// The proxy target of `mount` on HTTPS `port`, and the host it is served under.
    public func httpsProxy(port: Int = 443, mount: String = "/") -> (host: String, target: String)? {
        guard httpsPorts.contains(port) else { return nil }
        for (hostPort, handlers) in proxies.sorted(by: { $0.key < $1.key }) where hostPort.hasSuffix(":\(port)") {
            if let target = handlers[mount] { return (String(hostPort.dropLast(":\(port)".count)), target) }
        }
        return nil
    }

    /// Whether HTTPS 443 "/" proxies to the local port, as `tailscale serve --bg PORT` sets it.
    public func proxiesToLocalPort(_ port: String) -> Bool {
        guard let target = httpsProxy()?.target else { return false }
        return ServeConfig.normalized(target) == "http://127.0.0.1:\(port)"
    }

    static func normalized(_ target: String) -> String {
        var value = target
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    public static func parse(_ text: String) throws -> ServeConfig {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty || trimmed == "null" || !trimmed.contains("{") { return ServeConfig(httpsPorts: [], proxies: [:]) }
        let decoded = try JSONDecoder().decode(ConfigJSON.self, from: Data(jsonObject(in: text).utf8))
        var ports: Set<Int> = []
        for (port, handler) in decoded.tcp ?? [:] where handler.https == true {
            if let number = Int(port) { ports.insert(number) }
        }
        var proxies: [String: [String: String]] = [:]
        for (hostPort, server) in decoded.web ?? [:] {
            var handlers: [String: String] = [:]
            for (mount, handler) in server.handlers ?? [:] {
                if let proxy = handler.proxy { handlers[mount] = proxy }
            }
            proxies[hostPort] = handlers
        }
        return ServeConfig(httpsPorts: ports, proxies: proxies)
    }

    private struct ConfigJSON: Decodable {
        var tcp: [String: TCPJSON]?
        var web: [String: WebJSON]?
        enum CodingKeys: String, CodingKey {
            case tcp = "TCP"
            case web = "Web"
        }
    }
    private struct TCPJSON: Decodable {
        var https: Bool?
        enum CodingKeys: String, CodingKey { case https = "HTTPS" }
    }
    private struct WebJSON: Decodable {
        var handlers: [String: HandlerJSON]?
        enum CodingKeys: String, CodingKey { case handlers = "Handlers" }
    }
    private struct HandlerJSON: Decodable {
        var proxy: String?
        enum CodingKeys: String, CodingKey { case proxy = "Proxy" }
    }
}

/// A JSON value whose content does not matter (a capability's arguments).
private struct Ignored: Decodable {
    init(from decoder: Decoder) throws {}
}

/// The outermost {...} of a command's output: stdout and stderr are merged, and tailscale
/// may print a warning (say, a client/daemon version mismatch) around its JSON.
func jsonObject(in text: String) throws -> String {
    guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end else {
        throw ValidationFailure("no JSON object in the output: \(text.prefix(200))")
    }
    return String(text[start...end])
}
