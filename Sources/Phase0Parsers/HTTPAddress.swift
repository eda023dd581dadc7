/// The parts of an `http://HOST[:PORT][/PATH]` URL that say where it connects.
public struct HTTPAddress: Equatable, Sendable {
    /// Without brackets for an IPv6 address.
    public var host: String
    public var port: Int
    public var path: String

    public init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    /// nil for anything but an http URL with a numeric port (when it has one).
    public init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        var hostPart = authority
        port = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
            hostPart = authority[..<colon]
        }
        if hostPart.hasPrefix("[") && hostPart.hasSuffix("]") { hostPart = hostPart.dropFirst().dropLast() }
        guard !hostPart.isEmpty else { return nil }
        host = String(hostPart)
    }

    /// Whether the host is this machine's loopback.
    public var isLoopback: Bool { Listener.isLoopback(host) }
}
