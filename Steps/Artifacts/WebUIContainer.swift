import Phase0Parsers
import Phase0Core
import Phase0Templates

/// What Step 3's container is made of.
public struct WebUISettings: Equatable, Sendable {
    public var image: String
    public var container: String
    public var volume: String
    public var port: String
    /// Share the host's network (Ollama on loopback only) instead of the guide's bridge route.
    public var hostNetwork: Bool
    public var ollamaURL: String

    public init(image: String, container: String, volume: String, port: String, hostNetwork: Bool, ollamaURL: String) {
        self.image = image
        self.container = container
        self.volume = volume
        self.port = port
        self.hostNetwork = hostNetwork
        self.ollamaURL = ollamaURL
    }

    public var healthURL: String { "http://127.0.0.1:\(port)/health" }
}

/// The `docker run` of Step 3, rendered from Templates/open-webui.docker.tmpl as an argv (one
/// element per template line, no shell). Values are validated so that none can add, split or
/// bend an element; a label carries a hash of the whole command, so an existing container can
/// be recognised as made from exactly these values.
public enum WebUIContainer {
    public static let defaults: [String: String] = [
        "webuiImage": "ghcr.io/open-webui/open-webui:main", "webuiContainer": "open-webui", "webuiVolume": "open-webui",
        "webuiPort": "3000", "webuiNetwork": "auto",
    ]
    public static let configLabel = "org.phase0.config"

    /// What the environment fixes and what the admin panel can no longer change, checked
    /// against Open WebUI 0.12.4 (FACTS A3, A5): with ENABLE_PERSISTENT_CONFIG=False every
    /// setting is read from the environment (or its default) at each start, and an admin-panel
    /// change lives only in memory until the next restart.
    public static let environmentNote = """
        Open WebUI takes its settings from the container's environment at every start \
        (ENABLE_PERSISTENT_CONFIG=False): sign-up stays closed (ENABLE_SIGNUP=False; the first account still \
        registers, and becomes admin), and Ollama's URL, the RAG, speech-to-text and image engines and \
        title/tags/follow-up/autocomplete generation are fixed. Whatever you change in the Admin Panel \
        (Settings: Connections, Documents, Web Search, Audio, Images, Interface, sign-up, default role...) \
        lasts only until the container restarts. Kept in the volume: accounts, chats, per-model settings, \
        tools, functions, prompts, knowledge and memories. To change a setting for good, change the container's \
        environment (phase0 render docker) and re-create it.
        """

    /// Settings for `answers` (saved or given), each checked; `hostNetwork` is decided by the caller.
    public static func settings(answers: [String: String], hostNetwork: Bool) throws -> WebUISettings {
        func value(_ key: String) -> String { answers[key] ?? defaults[key] ?? AgentUnit.defaults[key]! }
        func check(_ key: String, _ outcome: Validate.Outcome) throws -> String {
            switch outcome {
            case .success(let value): return value
            case .failure(let failure): throw ValidationFailure("\(key): \(failure.reason)")
            }
        }
        return WebUISettings(
            image: try check("webuiImage", Validate.imageReference(value("webuiImage"))),
            container: try check("webuiContainer", Validate.dockerName(value("webuiContainer"), what: "the container name")),
            volume: try check("webuiVolume", Validate.dockerName(value("webuiVolume"), what: "the volume name")),
            port: try check("webuiPort", Validate.port(value("webuiPort"))),
            hostNetwork: hostNetwork,
            ollamaURL: try check("ollamaURL", Validate.localHTTPURL(value("ollamaURL"), what: "the Ollama URL")))
    }

    /// The command, as the argv docker is run with.
    public static func argv(_ settings: WebUISettings) throws -> [String] {
        let draft = try render(settings, configHash: "")
        let hash = ConfigHash.of(draft.filter { !$0.hasPrefix("--label=\(configLabel)=") }.joined(separator: "\u{0}"))
        return try render(settings, configHash: hash)
    }

    /// The hash label of the command for `settings`.
    public static func configHash(_ settings: WebUISettings) throws -> String {
        let label = try argv(settings).first { $0.hasPrefix("--label=\(configLabel)=") } ?? ""
        return String(label.dropFirst("--label=\(configLabel)=".count))
    }

    /// Ollama's URL as seen from the guide's bridge network: loopback there is the container's own.
    static func containerOllamaURL(_ url: String) -> String {
        guard let rest = url.split(separator: "//", maxSplits: 1).last, let colon = rest.lastIndex(of: ":") else { return url }
        let host = rest[..<colon]
        guard host == "localhost" || host.hasPrefix("127.") else { return url }
        return "http://host.docker.internal" + rest[colon...]
    }

    static func render(_ s: WebUISettings, configHash: String) throws -> [String] {
        guard let template = EmbeddedTemplates.text("open-webui.docker") else { throw TemplateError.unknownTemplate("open-webui.docker") }
        let values = [
            "container": s.container, "port": s.port, "ollamaURL": s.ollamaURL,
            "ollamaContainerURL": containerOllamaURL(s.ollamaURL), "volume": s.volume, "image": s.image,
            "configLabel": configLabel, "configHash": configHash,
        ]
        // One element per line: a value with a line break (or any control character) would split one.
        for (key, value) in values where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw ValidationFailure("\(key) contains a control character, which cannot be part of the docker command")
        }
        let text = try TemplateRenderer(name: "open-webui.docker", text: template).render(values: values, flags: ["hostNetwork": s.hostNetwork])
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The command as an operator would paste it: shell-quoted, one option per line.
    public static func shellDisplay(_ argv: [String]) -> String {
        guard argv.count > 2 else { return argv.map(shellQuote).joined(separator: " ") + "\n" }
        var lines = [argv[0...1].map(shellQuote).joined(separator: " ")]
        lines += argv.dropFirst(2).map { "  " + shellQuote($0) }
        return lines.joined(separator: " \\\n") + "\n"
    }
}
