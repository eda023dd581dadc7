import Phase0Parsers
import Phase0Core
/// The values Steps 4–5, `troubleshoot` and `reference` need, validated the way the questions
/// validate them: a hand-edited resume file cannot smuggle a flag into an argv.
public struct GuideAnswers: Equatable, Sendable {
    public var user: String
    public var home: String
    public var agentDir: String
    public var venvPython: String
    public var tmuxSession: String
    public var unitName: String
    public var ollamaUnit: String
    public var ollamaURL: String
    public var model: String
    public var webuiContainer: String
    public var webuiPort: String
    public var webuiNetwork: String

    /// Saved answers, keyed as in the resume file; the table's defaults for the others.
    public init(_ answers: [String: String]) throws {
        try self.init { answers[$0.rawValue] }
    }

    public init(given: (AnswerKey) -> String?) throws {
        func raw(_ key: AnswerKey) -> String { key.value(given: given) ?? "" }
        func checked(_ key: AnswerKey, _ outcome: Validate.Outcome) throws -> String {
            try outcome.named("saved answer \"\(key.rawValue)\"")
        }
        let userName = raw(.user)
        guard Validate.isPortableName(userName, maxLength: 32, allowDot: true), !userName.hasPrefix("-") else {
            throw ValidationFailure("saved answer \"user\": \"\(userName)\" is not a valid user name")
        }
        user = userName
        home = try checked(.home, Validate.absolutePath(raw(.home), what: "the home directory"))
        agentDir = try checked(.agentDir, Validate.absolutePath(raw(.agentDir), what: "the agent directory"))
        venvPython = try checked(.venvPython, Validate.absolutePath(raw(.venvPython), what: "the venv python"))
        tmuxSession = try checked(.tmuxSession, Validate.tmuxSession(raw(.tmuxSession)))
        unitName = try checked(.unitName, Validate.unitName(raw(.unitName)))
        ollamaUnit = try checked(.ollamaUnit, Validate.unitName(raw(.ollamaUnit)))
        ollamaURL = try checked(.ollamaURL, Validate.localHTTPURL(raw(.ollamaURL), what: "the Ollama URL"))
        let modelName = raw(.model)
        guard !modelName.isEmpty, !modelName.hasPrefix("-"), !Validate.hasControlCharacters(modelName) else {
            throw ValidationFailure("saved answer \"model\": \"\(modelName)\" is not a model name")
        }
        model = modelName
        webuiContainer = try checked(.webuiContainer, Validate.dockerName(raw(.webuiContainer), what: "the container name"))
        webuiPort = try checked(.webuiPort, Validate.port(raw(.webuiPort)))
        webuiNetwork = try checked(.webuiNetwork, Validate.choice(raw(.webuiNetwork), among: ["auto", "host", "bridge"]))
    }

    /// The Ollama port, from its URL (validated: it has one).
    public var ollamaPort: Int { HTTPAddress(ollamaURL)?.port ?? 80 }
}
