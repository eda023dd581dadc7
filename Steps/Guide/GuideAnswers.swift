import Phase0Core
import Phase0Parsers

/// The guide's defaults (DESIGN.md §1) and the validated values the later steps, `troubleshoot`
/// and `reference` work with: saved answers where there are any, the guide's values otherwise.
/// Paths under the home directory follow the user, so a different user gets their own paths.
public enum GuideDefaults {
    /// Defaults that do not depend on another answer.
    public static let fixed: [String: String] = [
        "user": "vybnz69", "ollamaUnit": "ollama.service", "ollamaURL": "http://127.0.0.1:11434",
        "model": "vybn:latest", "tmuxSession": "vybn", "unitName": "vybn-agent.service",
        "webuiImage": "ghcr.io/open-webui/open-webui:main", "webuiContainer": "open-webui",
        "webuiVolume": "open-webui", "webuiPort": "3000", "webuiNetwork": "auto",
        "swapfile": "/swapfile", "swapSize": "128G", "swappiness": "10", "installMosh": "yes",
    ]

    /// Every default, with the home-relative paths derived from `answers` (user, home, repoDir).
    public static func values(for answers: [String: String] = [:]) -> [String: String] {
        var values = fixed
        let user = answers["user"] ?? fixed["user"]!
        let home = answers["home"] ?? (user == "root" ? "/root" : "/home/\(user)")
        let repo = answers["repoDir"] ?? home + "/Vybn"
        values["user"] = user
        values["home"] = home
        values["repoDir"] = repo
        values["agentDir"] = repo + "/spark"
        values["venvPython"] = home + "/.venv/spark/bin/python"
        return values
    }

    /// The saved answer for `key`, else the guide's default (nil only for keys without one).
    public static func value(_ key: String, answers: [String: String]) -> String? {
        answers[key] ?? values(for: answers)[key]
    }
}

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

    public init(_ answers: [String: String]) throws {
        func raw(_ key: String) -> String { GuideDefaults.value(key, answers: answers) ?? "" }
        func checked(_ key: String, _ outcome: Validate.Outcome) throws -> String {
            switch outcome {
            case .success(let value): return value
            case .failure(let failure): throw ValidationFailure("saved answer \"\(key)\": \(failure.reason)")
            }
        }
        let userName = raw("user")
        guard Validate.isPortableName(userName, maxLength: 32, allowDot: true), !userName.hasPrefix("-") else {
            throw ValidationFailure("saved answer \"user\": \"\(userName)\" is not a valid user name")
        }
        user = userName
        home = try checked("home", Validate.absolutePath(raw("home"), what: "the home directory"))
        agentDir = try checked("agentDir", Validate.absolutePath(raw("agentDir"), what: "the agent directory"))
        venvPython = try checked("venvPython", Validate.absolutePath(raw("venvPython"), what: "the venv python"))
        tmuxSession = try checked("tmuxSession", Validate.tmuxSession(raw("tmuxSession")))
        unitName = try checked("unitName", Validate.unitName(raw("unitName")))
        ollamaUnit = try checked("ollamaUnit", Validate.unitName(raw("ollamaUnit")))
        ollamaURL = try checked("ollamaURL", Validate.localHTTPURL(raw("ollamaURL"), what: "the Ollama URL"))
        let modelName = raw("model")
        guard !modelName.isEmpty, !modelName.hasPrefix("-"), !Validate.hasControlCharacters(modelName) else {
            throw ValidationFailure("saved answer \"model\": \"\(modelName)\" is not a model name")
        }
        model = modelName
        webuiContainer = try checked("webuiContainer", Validate.dockerName(raw("webuiContainer"), what: "the container name"))
        webuiPort = try checked("webuiPort", Validate.port(raw("webuiPort")))
        webuiNetwork = try checked("webuiNetwork", Validate.choice(raw("webuiNetwork"), among: ["auto", "host", "bridge"]))
    }

    /// The Ollama port, from its URL (11434 by default).
    public var ollamaPort: String {
        String(ollamaURL.split(separator: ":").last ?? "11434")
    }
}
