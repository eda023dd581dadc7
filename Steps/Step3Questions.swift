import Phase0Parsers
import Phase0Core

/// Step 3's questions: the image, container, volume and port of Open WebUI, and its network.
enum WebUIQuestions {
    static var all: [Question] { [image, container, volume, port, network, AgentServiceQuestions.ollamaURL] }

    static var image: Question { Question(
        .webuiImage, prompt: "Open WebUI image",
        help: "The guide uses ghcr.io/open-webui/open-webui:main.",
        validate: { raw, _ in Validate.imageReference(raw) }
    ) }

    static var container: Question { Question(
        .webuiContainer, prompt: "Container name",
        help: "The guide's commands use open-webui (docker logs open-webui...).",
        validate: { raw, _ in Validate.dockerName(raw, what: "the container name") }
    ) }

    static var volume: Question { Question(
        .webuiVolume, prompt: "Data volume name",
        help: "The named volume that keeps accounts and chats across container replacements.",
        validate: { raw, _ in Validate.dockerName(raw, what: "the volume name") }
    ) }

    static var port: Question { Question(
        .webuiPort, prompt: "Port on 127.0.0.1 for Open WebUI",
        help: "Bound to 127.0.0.1 only; Step 4 serves it to your tailnet. The guide uses 3000.",
        validate: { raw, ctx in
            AgentServiceQuestions.then(Validate.port(raw)) { value in
                let ollamaPort = HTTPAddress(ctx.answerOrDefault(.ollamaURL) ?? "")?.port
                return Int(value) == ollamaPort ? "port \(value) is Ollama's" : nil
            }
        }
    ) }

    static var network: Question { Question(
        .webuiNetwork, prompt: "Container network (auto, host, bridge)",
        help: "auto: the guide's bridge route when Ollama listens where it can reach, otherwise the host network on 127.0.0.1 only. host: always that. bridge: always the guide's route.",
        completion: .choices(["auto", "host", "bridge"]),
        validate: { raw, _ in Validate.choice(raw, among: ["auto", "host", "bridge"]) }
    ) }
}
