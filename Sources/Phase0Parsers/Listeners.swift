/// A TCP socket listening on this machine, as `ss -ltn` prints it.
public struct Listener: Equatable, Sendable, CustomStringConvertible {
    /// The local address without brackets or zone: "127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0", "::", "*".
    public var address: String
    public var port: Int

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    /// Reachable only from this machine: 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6.
    public var isLoopback: Bool { Self.isLoopback(address) }

    /// Listening on every address of the machine (`ss` prints `*` for a dual-stack socket; an
    /// empty host, as in OLLAMA_HOST=:11434 or docker's `-p 3000:8080`, binds every address too).
    public var isWildcard: Bool { ["0.0.0.0", "::", "*", ""].contains(address) }

    public var description: String { "\(address):\(port)" }

    public static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address == "::1" || address.hasPrefix("127.") || address.lowercased().hasPrefix("::ffff:127.")
    }

    /// The listeners in `ss -ltn` output (`-H` or not: the header row is no LISTEN row), on
    /// `port` when one is given. Rows in another state are not listeners and are passed over.
    public static func parse(ssOutput text: String, port: Int? = nil) -> [Listener] {
        var listeners: [Listener] = []
        for line in text.split(separator: "\n") {
            // State Recv-Q Send-Q Local:Port Peer:Port [Process]: the local address is the fourth field.
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 4, fields[0] == "LISTEN", let listener = Listener(local: fields[3]) else { continue }
            if let port, listener.port != port { continue }
            listeners.append(listener)
        }
        return listeners
    }

    /// "127.0.0.1:11434", "[::1]:11434", "[fe80::1%eth0]:11434", "127.0.0.53%lo:53", "*:11434",
    /// ":11434" (every address).
    public init?(local: some StringProtocol) {
        guard let colon = local.lastIndex(of: ":"), let port = Int(local[local.index(after: colon)...]) else { return nil }
        var address = Substring(local[..<colon])
        if address.hasPrefix("[") && address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        if let zone = address.firstIndex(of: "%") { address = address[..<zone] }
        self.init(address: String(address), port: port)
    }
}
