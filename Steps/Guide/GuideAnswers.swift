import Phase0Core
import Phase0Parsers

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
    /// The agent's tmux server's socket (`tmux -L NAME`): named like its session, as the unit
    /// starts it (AgentUnitSettings.tmuxSocket).
    public var tmuxSocket: String { tmuxSession }

    /// Saved answers, keyed as in the resume file; the table's defaults for the others.
    public init(_ answers: [String: String]) throws {
        try self.init { answers[$0.rawValue] }
    }

    public init(given: (AnswerKey) -> String?) throws {
        func checked(_ key: AnswerKey) throws -> String { try key.checked(given: given, named: "saved answer \"\(key.rawValue)\"") }
        user = try checked(.user)
        home = try checked(.home)
        agentDir = try checked(.agentDir)
        venvPython = try checked(.venvPython)
        tmuxSession = try checked(.tmuxSession)
        unitName = try checked(.unitName)
        ollamaUnit = try checked(.ollamaUnit)
        ollamaURL = try checked(.ollamaURL)
        model = try checked(.model)
        webuiContainer = try checked(.webuiContainer)
        webuiPort = try checked(.webuiPort)
        webuiNetwork = try checked(.webuiNetwork)
    }

    /// The Ollama port, from its URL (validated: it has one).
    public var ollamaPort: Int { HTTPAddress(ollamaURL)?.port ?? 80 }
}
