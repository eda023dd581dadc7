import Phase0Core
import Phase0Parsers

/// Step 3's questions: the image, container, volume and port of Open WebUI, and its network.
enum WebUIQuestions {
    static var all: [Question] { [image, container, volume, port, network, AgentServiceQuestions.ollamaURL] }

    static var image: Question {
        Question(
            .webuiImage, prompt: "Open WebUI image",
            help: "The guide uses ghcr.io/open-webui/open-webui:main."
        )
    }

    static var container: Question {
        Question(
            .webuiContainer, prompt: "Container name",
            help: "The guide's commands use open-webui (docker logs open-webui...)."
        )
    }

    static var volume: Question {
        Question(
            .webuiVolume, prompt: "Data volume name",
            help: "The named volume that keeps accounts and chats across container replacements."
        )
    }

    static var port: Question {
        Question(
            .webuiPort, prompt: "Port on 127.0.0.1 for Open WebUI",
            help: "Bound to 127.0.0.1 only; Step 4 serves it to your tailnet. The guide uses 3000.",
            onThisMachine: { value, ctx in
                Int(value) == HTTPAddress(ctx.answerOrDefault(.ollamaURL) ?? "")?.port ? "port \(value) is Ollama's" : nil
            }
        )
    }

    static var network: Question {
        Question(
            .webuiNetwork, prompt: "Container network (auto, host, bridge)",
            help:
                "auto: the guide's bridge route when Ollama listens where it can reach, otherwise the host network on 127.0.0.1 only. host: always that. bridge: always the guide's route.",
            completion: .choices(WebUINetwork.choices)
        )
    }
}
