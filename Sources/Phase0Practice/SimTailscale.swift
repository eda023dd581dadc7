import FoundationEssentials
import Phase0Core
import Phase0Parsers

/// tailscale on the simulated Spark (Step 4, preflight, troubleshoot), in the JSON formats of
/// the real CLI (ipnstate.Status and ipn.ServeConfig). The pitfall is kept: with HTTPS not
/// enabled for the tailnet, `tailscale serve --bg PORT` prints an enable URL and exits 0
/// without serving anything.
extension SimulatedSpark {
    static let tailscaleIP = "100.101.102.103"

    mutating func simulateTailscale(_ args: [String], as user: String) -> CommandResult {
        guard services["tailscaled.service"]?.active != false else {
            return .init(
                exitStatus: 1,
                output: "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)\n")
        }
        switch args.first {
        case "status":
            if args.contains("--json") { return .init(exitStatus: 0, output: tailscaleStatusJSON()) }
            guard tailscale.connected else {
                return .init(exitStatus: 1, output: "Logged out.\nLog in at: https://login.tailscale.com/a/1a2b3c4d5e\n")
            }
            return .init(exitStatus: 0, output: "\(Self.tailscaleIP)  \(hostname)  \(operatorUser)@  linux  -\n")
        case "version":
            return .init(exitStatus: 0, output: "1.82.5\n  tailscale commit: 1a2b3c4d5e\n  go version: go1.24.2\n")
        case "ip":
            return tailscale.connected
                ? .init(exitStatus: 0, output: "\(Self.tailscaleIP)\n")
                : .init(exitStatus: 1, output: "no current Tailscale IPs; state: NeedsLogin\n")
        case "serve":
            return simulateServe(Array(args.dropFirst()), as: user)
        case "set":
            guard args.count == 2, args[1].hasPrefix("--operator=") else {
                return .init(exitStatus: 1, output: "phase0 practice: tailscale \(args.joined(separator: " ")) is not simulated\n")
            }
            guard user == "root" else {
                return .init(exitStatus: 1, output: "Access denied: prefs write access denied\n\nUse 'sudo tailscale set ...'\n")
            }
            let name = String(args[1].dropFirst("--operator=".count))
            tailscale.operatorUser = name.isEmpty ? nil : name
            return .init(exitStatus: 0, output: "")
        default:
            return .init(exitStatus: 1, output: "phase0 practice: tailscale \(args.joined(separator: " ")) is not simulated\n")
        }
    }

    /// `tailscale serve status [--json]`, `serve reset`, `serve [--bg] [--https=443] [--yes] TARGET [off]`.
    mutating func simulateServe(_ args: [String], as user: String) -> CommandResult {
        if args.first == "status" {
            if args.contains("--json") { return .init(exitStatus: 0, output: serveConfigJSON()) }
            guard let proxy = tailscale.serveProxy else { return .init(exitStatus: 0, output: "No serve config\n") }
            return .init(exitStatus: 0, output: "https://\(tailscale.dnsName) (tailnet only)\n|-- / proxy \(proxy)\n")
        }
        guard user == "root" || user == tailscale.operatorUser else {
            return .init(
                exitStatus: 1,
                output:
                    "Access denied: serve config denied\n\nUse 'sudo tailscale serve ...'.\nTo not require root, use 'sudo tailscale set --operator=$USER' once.\n"
            )
        }
        if args == ["reset"] || args.last == "off" {
            tailscale.serveProxy = nil
            return .init(exitStatus: 0, output: "")
        }
        let positional = args.filter { !$0.hasPrefix("-") }
        for flag in args where flag.hasPrefix("-") && !["--bg", "--bg=true", "--yes", "-y", "--https=443"].contains(flag) {
            return .init(exitStatus: 1, output: "phase0 practice: tailscale serve \(flag) is not simulated\n")
        }
        guard positional.count == 1, let target = Self.serveTarget(positional[0]) else {
            return .init(exitStatus: 1, output: "error: invalid target; use a port (3000) or http://127.0.0.1:3000\n")
        }
        guard args.contains("--bg") || args.contains("--bg=true") else {
            return .init(exitStatus: 1, output: "phase0 practice: a foreground `tailscale serve` runs until Ctrl-C; use --bg\n")
        }
        guard tailscale.connected else {
            return .init(exitStatus: 1, output: "Tailscale is not running (state: NeedsLogin); run: sudo tailscale up\n")
        }
        guard tailscale.httpsEnabled else {
            // The real pitfall: an enable URL, exit status 0, and nothing served.
            return .init(
                exitStatus: 0,
                output:
                    "Serve is not enabled on your tailnet.\nTo enable, visit:\n\n         https://login.tailscale.com/f/serve?node=n2b7cSpark\n\n"
            )
        }
        tailscale.serveProxy = target
        return .init(
            exitStatus: 0,
            output: """
                Available within your tailnet:

                https://\(tailscale.dnsName)/
                |-- proxy \(target)

                Serve started and running in the background.
                To disable the proxy, run: tailscale serve --https=443 off

                """)
    }

    /// "3000", "localhost:3000", "http://127.0.0.1:3000" -> "http://127.0.0.1:3000", as the CLI expands it.
    static func serveTarget(_ raw: String) -> String? {
        if let port = Int(raw), (1...65535).contains(port) { return "http://127.0.0.1:\(port)" }
        var rest = raw
        if rest.hasPrefix("http://") { rest.removeFirst("http://".count) }
        let parts = rest.split(separator: ":")
        guard parts.count == 2, ["localhost", "127.0.0.1"].contains(parts[0]),
            let port = Int(parts[1].prefix { $0.isNumber }), (1...65535).contains(port)
        else { return nil }
        return "http://\(parts[0]):\(port)"
    }

    func tailscaleStatusJSON() -> String {
        let connected = tailscale.connected
        let suffix = tailscale.dnsName.split(separator: ".").dropFirst().joined(separator: ".")
        var capMap: [String: [String]?] = ["https://tailscale.com/cap/file-sharing": nil, "https://tailscale.com/cap/ssh": nil]
        if tailscale.httpsEnabled { capMap.updateValue(nil, forKey: "https") }  // a key with a null value, as tailscaled sends it
        let selfNode = StatusSelfJSON(
            ID: "n2b7cSpark", HostName: hostname, DNSName: connected ? tailscale.dnsName + "." : "",
            OS: "linux", TailscaleIPs: connected ? [Self.tailscaleIP] : [], Online: connected,
            CapMap: connected ? capMap : nil)
        let status = StatusJSON(
            Version: "1.82.5-t1a2b3c4d5e", TUN: true, BackendState: connected ? "Running" : "NeedsLogin",
            AuthURL: connected ? "" : "https://login.tailscale.com/a/1a2b3c4d5e",
            TailscaleIPs: connected ? [Self.tailscaleIP] : [], Self: selfNode, Health: [],
            MagicDNSSuffix: suffix,
            CurrentTailnet: connected
                ? TailnetJSON(Name: "\(operatorUser)@example.com", MagicDNSSuffix: suffix, MagicDNSEnabled: true) : nil,
            CertDomains: connected && tailscale.httpsEnabled ? [tailscale.dnsName] : nil)
        return Self.prettyJSON(status)
    }

    func serveConfigJSON() -> String {
        guard let proxy = tailscale.serveProxy else { return "{}\n" }
        let config = ServeJSON(
            TCP: ["443": ["HTTPS": true]],
            Web: ["\(tailscale.dnsName):443": ["Handlers": ["/": ["Proxy": proxy]]]])
        return Self.prettyJSON(config)
    }

    static func prettyJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Plain strings, bools and arrays: encoding cannot fail.
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}

// The field names are tailscale's own (Go's exported names), hence the capitals.
// swift-format-ignore: AlwaysUseLowerCamelCase
private struct StatusJSON: Encodable {
    var Version: String
    var TUN: Bool
    var BackendState: String
    var AuthURL: String
    var TailscaleIPs: [String]
    var `Self`: StatusSelfJSON
    var Health: [String]
    var MagicDNSSuffix: String
    var CurrentTailnet: TailnetJSON?
    var CertDomains: [String]?
}

// swift-format-ignore: AlwaysUseLowerCamelCase
private struct StatusSelfJSON: Encodable {
    var ID: String
    var HostName: String
    var DNSName: String
    var OS: String
    var TailscaleIPs: [String]
    var Online: Bool
    var CapMap: [String: [String]?]?
}

// swift-format-ignore: AlwaysUseLowerCamelCase
private struct TailnetJSON: Encodable {
    var Name: String
    var MagicDNSSuffix: String
    var MagicDNSEnabled: Bool
}

// swift-format-ignore: AlwaysUseLowerCamelCase
private struct ServeJSON: Encodable {
    var TCP: [String: [String: Bool]]
    var Web: [String: [String: [String: [String: String]]]]
}
