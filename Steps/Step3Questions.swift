import Phase0Core
import Phase0Parsers

/// Step 3's questions: the image, container, volume and port of Open WebUI, and its network.
enum WebUIQuestions {
    static var all: [Question] { [image, container, volume, port, network, AgentServiceQuestions.ollamaURL] }

    static func fallback(_ key: String) -> String { WebUIContainer.defaults[key]! }

    static var image: Question {
        Question(
            key: "webuiImage", prompt: "Open WebUI image",
            help: "The guide uses ghcr.io/open-webui/open-webui:main.",
            defaultValue: { _ in fallback("webuiImage") },
            validate: { raw, _ in Validate.imageReference(raw) }
        )
    }

    static var container: Question {
        Question(
            key: "webuiContainer", prompt: "Container name",
            help: "The guide's commands use open-webui (docker logs open-webui...).",
            defaultValue: { _ in fallback("webuiContainer") },
            validate: { raw, _ in Validate.dockerName(raw, what: "the container name") }
        )
    }

    static var volume: Question {
        Question(
            key: "webuiVolume", prompt: "Data volume name",
            help: "The named volume that keeps accounts and chats across container replacements.",
            defaultValue: { _ in fallback("webuiVolume") },
            validate: { raw, _ in Validate.dockerName(raw, what: "the volume name") }
        )
    }

    static var port: Question {
        Question(
            key: "webuiPort", prompt: "Port on 127.0.0.1 for Open WebUI",
            help: "Bound to 127.0.0.1 only; Step 4 serves it to your tailnet. The guide uses 3000.",
            defaultValue: { _ in fallback("webuiPort") },
            validate: { raw, ctx in
                AgentServiceQuestions.then(Validate.port(raw)) { value in
                    let ollamaPort = WebUINetwork.hostAndPort(ctx.answerIfGiven("ollamaURL") ?? AgentUnit.defaults["ollamaURL"]!).1
                    return Int(value) == ollamaPort ? "port \(value) is Ollama's" : nil
                }
            }
        )
    }

    static var network: Question {
        Question(
            key: "webuiNetwork", prompt: "Container network (auto, host, bridge)",
            help:
                "auto: the guide's bridge route when Ollama listens where it can reach, otherwise the host network on 127.0.0.1 only. host: always that. bridge: always the guide's route.",
            completion: .choices(["auto", "host", "bridge"]),
            defaultValue: { _ in fallback("webuiNetwork") },
            validate: { raw, _ in Validate.choice(raw, among: ["auto", "host", "bridge"]) }
        )
    }
}
