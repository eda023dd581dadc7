import FoundationEssentials
import Phase0Core
import Phase0Parsers
import Phase0TeachingData

/// A practice scenario (`--scenario FILE`): changes to the guide's simulated Spark, to teach
/// or rehearse a case (a full disk, btrfs, a tmux session left running by hand...). Every
/// key is optional; unknown keys are refused so a typo is not silently ignored.
public struct Scenario: Decodable, Equatable {
    public var description: String?
    public var hostname: String?
    public var memory: Memory?
    public var swaps: [Swap]?
    public var filesystem: Filesystem?
    public var programs: [String: Bool]?
    public var services: [String: String]?
    public var dockerDaemon: Bool?
    public var ollamaListen: String?
    public var ollamaModels: [String]?
    public var tmuxSessions: [String]?
    public var containers: [Container]?
    public var tailscale: Tailscale?
    public var ufwActive: Bool?
    public var files: [String: String]?
    public var removeFiles: [String]?
    /// Accounts in Open WebUI's volume (default 0: /api/config says onboarding; the first to register becomes admin).
    public var webuiAccounts: Int?
    /// The operator may use docker without sudo (is in the docker group).
    public var dockerGroup: Bool?
    /// phase0 runs inside this session of the operator's own tmux (default socket).
    public var phase0InTmux: String?
    /// Agent programs started by hand, outside the unit: "tui.py", "web_serve.py"; "tui.py:vybn"
    /// runs it as the only window of the operator's (default-socket) tmux session vybn.
    public var runningByHand: [String]?
    /// Sessions started by hand on a named socket (`tmux -L SOCKET`): {"vybn": ["vybn"]}.
    public var tmuxSessionsOnSocket: [String: [String]]?

    public struct Memory: Decodable, Equatable {
        public var totalGiB: Double?
        public var availableMiB: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case totalGiB, availableMiB }
        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            totalGiB = try c.decodeIfPresent(Double.self, forKey: .totalGiB)
            availableMiB = try c.decodeIfPresent(Double.self, forKey: .availableMiB)
        }
    }

    public struct Swap: Decodable, Equatable {
        public var path: String
        public var sizeGiB: Double
        public var usedGiB: Double?
        public var priority: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case path, sizeGiB, usedGiB, priority }
        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decode(String.self, forKey: .path)
            sizeGiB = try c.decode(Double.self, forKey: .sizeGiB)
            usedGiB = try c.decodeIfPresent(Double.self, forKey: .usedGiB)
            priority = try c.decodeIfPresent(Int.self, forKey: .priority)
        }
    }

    public struct Filesystem: Decodable, Equatable {
        public var type: String?
        public var freeGiB: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case type, freeGiB }
        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            freeGiB = try c.decodeIfPresent(Double.self, forKey: .freeGiB)
        }
    }

    public struct Container: Decodable, Equatable {
        public var name: String
        public var image: String?
        public var running: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case name, image, running }
        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            image = try c.decodeIfPresent(String.self, forKey: .image)
            running = try c.decodeIfPresent(Bool.self, forKey: .running)
        }
    }

    public struct Tailscale: Decodable, Equatable {
        public var installed: Bool?
        public var connected: Bool?
        public var httpsEnabled: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable { case installed, connected, httpsEnabled }
        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            installed = try c.decodeIfPresent(Bool.self, forKey: .installed)
            connected = try c.decodeIfPresent(Bool.self, forKey: .connected)
            httpsEnabled = try c.decodeIfPresent(Bool.self, forKey: .httpsEnabled)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case description, hostname, memory, swaps, filesystem, programs, services, dockerDaemon, ollamaListen,
            ollamaModels, tmuxSessions, containers, tailscale, ufwActive, files, removeFiles, webuiAccounts, dockerGroup,
            phase0InTmux, runningByHand, tmuxSessionsOnSocket
    }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        memory = try c.decodeIfPresent(Memory.self, forKey: .memory)
        swaps = try c.decodeIfPresent([Swap].self, forKey: .swaps)
        filesystem = try c.decodeIfPresent(Filesystem.self, forKey: .filesystem)
        programs = try c.decodeIfPresent([String: Bool].self, forKey: .programs)
        services = try c.decodeIfPresent([String: String].self, forKey: .services)
        dockerDaemon = try c.decodeIfPresent(Bool.self, forKey: .dockerDaemon)
        ollamaListen = try c.decodeIfPresent(String.self, forKey: .ollamaListen)
        ollamaModels = try c.decodeIfPresent([String].self, forKey: .ollamaModels)
        tmuxSessions = try c.decodeIfPresent([String].self, forKey: .tmuxSessions)
        containers = try c.decodeIfPresent([Container].self, forKey: .containers)
        tailscale = try c.decodeIfPresent(Tailscale.self, forKey: .tailscale)
        ufwActive = try c.decodeIfPresent(Bool.self, forKey: .ufwActive)
        files = try c.decodeIfPresent([String: String].self, forKey: .files)
        removeFiles = try c.decodeIfPresent([String].self, forKey: .removeFiles)
        webuiAccounts = try c.decodeIfPresent(Int.self, forKey: .webuiAccounts)
        dockerGroup = try c.decodeIfPresent(Bool.self, forKey: .dockerGroup)
        phase0InTmux = try c.decodeIfPresent(String.self, forKey: .phase0InTmux)
        runningByHand = try c.decodeIfPresent([String].self, forKey: .runningByHand)
        tmuxSessionsOnSocket = try c.decodeIfPresent([String: [String]].self, forKey: .tmuxSessionsOnSocket)
    }

    /// A built-in scenario by name (Steps/Teaching/Scenarios), else the file at `nameOrPath`.
    public static func resolve(_ nameOrPath: String) throws -> Scenario {
        if !nameOrPath.contains("/"), !nameOrPath.hasSuffix(".json"), let text = EmbeddedTeachingData.scenario(nameOrPath) {
            return try decode(Data(text.utf8), source: "built-in scenario \(nameOrPath)")
        }
        return try load(nameOrPath)
    }

    /// `--scenario list`: each built-in scenario and what it teaches.
    public static func catalogue() -> String {
        var text = "Built-in practice scenarios (phase0 --practice --scenario NAME; a FILE works too):\n"
        for name in EmbeddedTeachingData.scenarioNames {
            let description = (try? resolve(name))?.description ?? ""
            text += "\n  \(name)\n" + wrapped(description, indent: "      ") + "\n"
        }
        return text
    }

    public static func load(_ path: String) throws -> Scenario {
        try decode(try readInputFile(path, what: "scenario"), source: path)
    }

    static func decode(_ data: Data, source path: String) throws -> Scenario {
        let scenario: Scenario
        do { scenario = try JSONDecoder().decode(Scenario.self, from: data) } catch {
            throw InputFileError(path: path, problem: "is not a valid scenario: \(describeDecodingError(error))")
        }
        if let problem = scenario.problem() { throw InputFileError(path: path, problem: problem) }
        return scenario.redacted()
    }

    /// The scenario with anything that looks like a secret masked: its values become the
    /// simulated machine, which is saved in the practice resume file, and a secret must never
    /// reach that file (a rehearsed config file may well hold a password line).
    func redacted() -> Scenario {
        var copy = self
        copy.description = description.map(Redactor.redact)
        copy.hostname = hostname.map(Redactor.redact)
        copy.files = files?.mapValues(Redactor.redact)
        copy.ollamaModels = ollamaModels?.map(Redactor.redact)
        copy.tmuxSessions = tmuxSessions?.map(Redactor.redact)
        copy.tmuxSessionsOnSocket = tmuxSessionsOnSocket.map { sockets in
            Dictionary(
                sockets.map { (Redactor.redact($0.key), $0.value.map(Redactor.redact)) }, uniquingKeysWith: { first, _ in first })
        }
        copy.containers = containers?.map { container in
            var masked = container
            masked.name = Redactor.redact(container.name)
            masked.image = container.image.map(Redactor.redact)
            return masked
        }
        return copy
    }

    /// Values no machine could have.
    func problem() -> String? {
        if let memory {
            if let total = memory.totalGiB, !(total > 0 && total <= 4096) { return "memory.totalGiB must be between 0 and 4096" }
            if let available = memory.availableMiB, available < 0 || available > (memory.totalGiB ?? 121) * 1024 {
                return "memory.availableMiB must be between 0 and the total memory"
            }
        }
        for swap in swaps ?? [] {
            if !swap.path.hasPrefix("/") { return "swaps: \"\(swap.path)\" must be an absolute path" }
            if !(swap.sizeGiB > 0 && swap.sizeGiB <= 16384) { return "swaps: \(swap.path) sizeGiB must be between 0 and 16384" }
            if let used = swap.usedGiB, used < 0 || used > swap.sizeGiB {
                return "swaps: \(swap.path) usedGiB must be between 0 and sizeGiB"
            }
        }
        if let free = filesystem?.freeGiB, free < 0 || free > 1_000_000 { return "filesystem.freeGiB must be between 0 and 1000000" }
        // Without a port the simulated Ollama would listen nowhere, and the run would fail in
        // Step 2 (the unit waits for Ollama's API) for a reason the scenario never meant.
        if let listen = ollamaListen {
            let port = listen.split(separator: ":").last.flatMap { Int($0) }
            if listen.hasPrefix(":") || !listen.contains(":") || port.map({ !(1...65535).contains($0) }) ?? true {
                return "ollamaListen must be ADDRESS:PORT, such as \"127.0.0.1:11434\" or \"0.0.0.0:11434\", not \"\(listen)\""
            }
        }
        for (name, state) in services ?? [:] where !["active", "inactive", "missing"].contains(state) {
            return "services.\(name) must be \"active\", \"inactive\" or \"missing\""
        }
        for path in Array((files ?? [:]).keys) + (removeFiles ?? []) where !path.hasPrefix("/") {
            return "files: \"\(path)\" must be an absolute path"
        }
        if let accounts = webuiAccounts, !(0...1000).contains(accounts) { return "webuiAccounts must be between 0 and 1000" }
        for socket in (tmuxSessionsOnSocket ?? [:]).keys where socket.isEmpty || socket == "default" || socket.contains("/") {
            return "tmuxSessionsOnSocket: \"\(socket)\" is not a socket name for tmux -L (and not \"default\": use tmuxSessions)"
        }
        for entry in runningByHand ?? [] {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard ["tui.py", "web_serve.py"].contains(parts[0]) else {
                return "runningByHand: \"\(entry)\" must be \"tui.py\" or \"web_serve.py\", optionally with \":SESSION\""
            }
            if parts.count == 2, !(tmuxSessions ?? []).contains(parts[1]) {
                return "runningByHand: \"\(entry)\" names session \(parts[1]), which tmuxSessions does not start"
            }
        }
        if let session = phase0InTmux, session.isEmpty || !session.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            return "phase0InTmux must be a tmux session name (letters, digits, '_', '-')"
        }
        return nil
    }
}
