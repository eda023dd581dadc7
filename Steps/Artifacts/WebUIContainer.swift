import Phase0Core
import Phase0Parsers
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
    /// The answers the container is made of; their defaults are the table's (AnswerKey).
    public static let keys: [AnswerKey] = [.webuiImage, .webuiContainer, .webuiVolume, .webuiPort, .webuiNetwork, .ollamaURL]
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
        WebUISettings(
            image: try AnswerKey.webuiImage.checked(in: answers),
            container: try AnswerKey.webuiContainer.checked(in: answers),
            volume: try AnswerKey.webuiVolume.checked(in: answers),
            port: try AnswerKey.webuiPort.checked(in: answers),
            hostNetwork: hostNetwork,
            ollamaURL: try AnswerKey.ollamaURL.checked(in: answers))
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
        guard let address = HTTPAddress(url), address.isLoopback else { return url }
        return "http://host.docker.internal:\(address.port)"
    }

    static func render(_ s: WebUISettings, configHash: String) throws -> [String] {
        let values = [
            "container": s.container, "port": s.port, "ollamaURL": s.ollamaURL,
            "ollamaContainerURL": containerOllamaURL(s.ollamaURL), "volume": s.volume, "image": s.image,
            "configLabel": configLabel, "configHash": configHash,
        ]
        // One element per line: a value with a line break (or any control character) would split one.
        for (key, value) in values where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw ValidationFailure("\(key) contains a control character, which cannot be part of the docker command")
        }
        let text = try EmbeddedTemplates.render("open-webui.docker", values: values, flags: ["hostNetwork": s.hostNetwork])
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
