import Phase0Core
import Phase0Parsers

/// What a simulated container is, read back from the `docker run` argv that made it, and the
/// small subset of Go templates `docker inspect -f` / `docker ps --format` are used with.
struct SimRunConfig: Equatable {
    var name: String?
    var detach = false
    var restart = "no"
    var memory: Int64 = 0
    var memorySwap: Int64 = 0
    var network = "bridge"
    var env: [String] = []
    var publish: [(ip: String, hostPort: Int, containerPort: Int)] = []
    var addHosts: [String] = []
    var volumes: [String] = []
    var labels: [String: String] = [:]
    var image = ""

    static func == (a: SimRunConfig, b: SimRunConfig) -> Bool {
        a.name == b.name && a.env == b.env && a.image == b.image && a.network == b.network && a.labels == b.labels
            && a.publish.map { "\($0.ip):\($0.hostPort):\($0.containerPort)" }
                == b.publish.map { "\($0.ip):\($0.hostPort):\($0.containerPort)" }
    }

    func envValue(_ key: String) -> String? {
        env.last { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Parses `docker run` options the way the docker CLI does for the flags phase0 and the
    /// guide use; anything else is refused (unknown to the CLI, or not simulated).
    static func parse(_ args: [String]) -> Result<SimRunConfig, SimDockerError> {
        var config = SimRunConfig()
        var index = 0
        let valued: [String: String] = [
            "--name": "name", "--restart": "restart", "--memory": "memory", "-m": "memory", "--memory-swap": "memory-swap",
            "--network": "network", "--net": "network", "--env": "env", "-e": "env", "--publish": "publish", "-p": "publish",
            "--add-host": "add-host", "--volume": "volume", "-v": "volume", "--label": "label", "-l": "label",
        ]
        while index < args.count, args[index].hasPrefix("-") {
            var flag = args[index]
            var value: String?
            if let equals = flag.firstIndex(of: "="), flag.hasPrefix("--") {
                value = String(flag[flag.index(after: equals)...])
                flag = String(flag[..<equals])
            }
            if ["--detach", "-d"].contains(flag) {
                config.detach = true
                index += 1
                continue
            }
            if ["--rm", "-i", "-t", "-it", "--init", "--interactive", "--tty"].contains(flag) {
                index += 1
                continue
            }
            guard let kind = valued[flag] else { return .failure(SimDockerError(message: "unknown flag: \(flag)")) }
            if value == nil {
                guard index + 1 < args.count else { return .failure(SimDockerError(message: "flag needs an argument: \(flag)")) }
                index += 1
                value = args[index]
            }
            let v = value!
            switch kind {
            case "name": config.name = v
            case "restart":
                guard ["no", "always", "unless-stopped", "on-failure"].contains(v.split(separator: ":").first.map(String.init) ?? "") else {
                    return .failure(SimDockerError(message: "Error response from daemon: invalid restart policy '\(v)'"))
                }
                config.restart = v
            case "memory", "memory-swap":
                guard let bytes = parseSize(v) else {
                    return .failure(
                        SimDockerError(
                            message:
                                "invalid argument \"\(v)\" for \"\(kind == "memory" ? "-m, --memory" : "--memory-swap")\" flag: invalid size"
                        ))
                }
                if kind == "memory" { config.memory = bytes } else { config.memorySwap = bytes }
            case "network": config.network = v
            case "env": config.env.append(v)
            case "publish":
                let parts = v.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard (1...3).contains(parts.count), let container = Int(parts.last!.split(separator: "/").first ?? "") else {
                    return .failure(SimDockerError(message: "invalid port specification: \"\(v)\""))
                }
                let ip = parts.count == 3 ? parts[0] : ""
                if !ip.isEmpty && ip.split(separator: ".").count != 4 {
                    return .failure(SimDockerError(message: "invalid IP address: \(ip)"))
                }
                let host = parts.count >= 2 ? Int(parts[parts.count - 2]) ?? 0 : 0
                config.publish.append((ip, host, container))
            case "add-host": config.addHosts.append(v)
            case "volume": config.volumes.append(v)
            case "label":
                let pair = v.split(separator: "=", maxSplits: 1).map(String.init)
                config.labels[pair[0]] = pair.count == 2 ? pair[1] : ""
            default: break
            }
            index += 1
        }
        guard index < args.count else { return .failure(SimDockerError(message: "\"docker run\" requires at least 1 argument.")) }
        config.image = args[index]
        if config.memorySwap > 0 && config.memorySwap < config.memory {
            return .failure(
                SimDockerError(message: "Error response from daemon: Minimum memoryswap limit should be larger than memory limit"))
        }
        return .success(config)
    }

    /// Docker's sizes: a number with an optional b, k, m or g (binary units).
    static func parseSize(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let units: [Character: Int64] = ["b": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024]
        if let last = lower.last, let unit = units[last], let number = Int64(lower.dropLast()) { return number * unit }
        return Int64(lower)
    }

    /// The guide's own `docker run` (Step 3 of the guide): what a container a scenario says
    /// was made by hand is taken to be.
    static func guideArgv(name: String, image: String) -> [String] {
        [
            "docker", "run", "-d", "-p", "127.0.0.1:3000:8080", "--add-host=host.docker.internal:host-gateway",
            "-e", "OLLAMA_BASE_URL=http://host.docker.internal:11434", "-e", "RAG_EMBEDDING_ENGINE=openai",
            "-e", "AUDIO_STT_ENGINE=openai", "-e", "IMAGE_GENERATION_ENGINE=openai", "--memory=2g", "--memory-swap=4g",
            "-v", "open-webui:/app/backend/data", "--name", name, "--restart", "always", image,
        ]
    }
}

/// A value as Go templates see it.
indirect enum SimTemplateValue {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case list([SimTemplateValue])
    case map([String: SimTemplateValue])
    /// A Go struct: printed as {v1 v2}, fields reached by name.
    case object([(String, SimTemplateValue)])

    var printed: String {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .list(let items): return "[" + items.map(\.printed).joined(separator: " ") + "]"
        case .map(let items):
            return "map[" + items.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.printed)" }.joined(separator: " ") + "]"
        case .object(let fields): return "{" + fields.map { $0.1.printed }.joined(separator: " ") + "}"
        }
    }

    var json: String {
        switch self {
        case .string(let s): return "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        case .bool, .int: return printed
        case .list(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .map(let items):
            return "{" + items.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value.json)" }.joined(separator: ",") + "}"
        case .object(let fields): return "{" + fields.map { "\"\($0.0)\":\($0.1.json)" }.joined(separator: ",") + "}"
        }
    }

    func field(_ name: String) -> SimTemplateValue? {
        switch self {
        case .map(let items): return items[name] ?? .string("<no value>")
        case .object(let fields): return fields.first { $0.0 == name }?.1
        default: return nil
        }
    }
}

struct SimTemplateError: Error { var message: String }

struct SimDockerError: Error { var message: String }

/// `{{.A.B}}`, `{{index .Labels "k"}}`, `{{json .X}}`, `{{println .}}`, `{{range .X}}…{{end}}`.
enum SimGoTemplate {
    enum Token {
        case text(String)
        case action(String)
    }

    static func tokens(_ template: String) -> [Token] {
        var result: [Token] = []
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { result.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                result.append(.text(String(rest)))
                return result
            }
            result.append(.action(String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace()))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { result.append(.text(String(rest))) }
        return result
    }

    static func render(_ template: String, _ dot: SimTemplateValue) throws -> String {
        let all = tokens(template)
        var index = 0
        let text = try run(all, &index, dot)
        guard index == all.count else { throw SimTemplateError(message: "template: unexpected {{end}}") }
        return text
    }

    private static func run(_ tokens: [Token], _ index: inout Int, _ dot: SimTemplateValue) throws -> String {
        var output = ""
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .text(let text): output += text
            case .action(let action):
                if action == "end" {
                    index -= 1
                    return output
                }
                if action.hasPrefix("range ") {
                    let over = try evaluate(String(action.dropFirst(6)), dot)
                    let start = index
                    var items: [SimTemplateValue] = []
                    if case .list(let list) = over { items = list }
                    if case .map(let map) = over { items = map.sorted { $0.key < $1.key }.map(\.value) }
                    var end = start
                    if items.isEmpty { _ = try run(tokens, &end, dot) }
                    for item in items {
                        end = start
                        output += try run(tokens, &end, item)
                    }
                    guard end < tokens.count, case .action("end") = tokens[end] else {
                        throw SimTemplateError(message: "template: range without end")
                    }
                    index = end + 1
                } else if action.hasPrefix("println ") {
                    output += try evaluate(String(action.dropFirst(8)), dot).printed + "\n"
                } else if action.hasPrefix("json ") {
                    output += try evaluate(String(action.dropFirst(5)), dot).json
                } else {
                    output += try evaluate(action, dot).printed
                }
            }
        }
        return output
    }

    private static func evaluate(_ expression: String, _ dot: SimTemplateValue) throws -> SimTemplateValue {
        if expression.hasPrefix("index ") {
            let parts = expression.dropFirst(6).split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[1].hasPrefix("\"") && parts[1].hasSuffix("\"") else {
                throw SimTemplateError(message: "template: bad index: \(expression)")
            }
            let key = String(parts[1].dropFirst().dropLast())
            guard case .map(let map) = try evaluate(parts[0], dot) else { return .string("") }
            return map[key] ?? .string("")
        }
        guard expression.hasPrefix(".") else {
            throw SimTemplateError(message: "template: phase0 practice does not simulate \"\(expression)\"")
        }
        var value = dot
        for name in expression.split(separator: ".") {
            guard let next = value.field(String(name)) else {
                throw SimTemplateError(message: "template: can't evaluate field \(name)")
            }
            value = next
        }
        return value
    }
}
