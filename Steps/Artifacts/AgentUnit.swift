import Phase0Core
import Phase0Parsers
import Phase0Templates

/// What Step 2's unit is made of, one value per answer (plus where tmux and curl live).
public struct AgentUnitSettings: Equatable, Sendable {
    public var user: String
    public var home: String
    public var agentDir: String
    public var venvPython: String
    public var tmuxSession: String
    public var unitName: String
    public var ollamaUnit: String
    public var ollamaURL: String
    public var tmuxPath: String
    public var curlPath: String

    public init(
        user: String, home: String, agentDir: String, venvPython: String, tmuxSession: String, unitName: String,
        ollamaUnit: String, ollamaURL: String, tmuxPath: String = "/usr/bin/tmux", curlPath: String = "/usr/bin/curl"
    ) {
        self.user = user
        self.home = home
        self.agentDir = agentDir
        self.venvPython = venvPython
        self.tmuxSession = tmuxSession
        self.unitName = unitName
        self.ollamaUnit = ollamaUnit
        self.ollamaURL = ollamaURL
        self.tmuxPath = tmuxPath
        self.curlPath = curlPath
    }

    public var unitPath: String { "/etc/systemd/system/\(unitName)" }
    public var tuiPath: String { agentDir + "/tui.py" }
    /// The unit's tmux server has a socket of its own, named like the session (`tmux -L NAME`):
    /// a `new-session` never lands in the operator's own server, and nothing phase0 does to the
    /// agent's server can touch the operator's (FACTS C2, C3).
    public var tmuxSocket: String { tmuxSession }
    /// How the operator reaches the agent's session (the guide's `tmux attach -t vybn`).
    public var attachCommand: String { AgentUnit.attachCommand(session: tmuxSession) }
}

/// The systemd unit of Step 2, rendered from Templates/vybn-agent.service.tmpl. Every value is
/// escaped for where it lands (UnitSyntax); what cannot be written safely is refused.
public enum AgentUnit {
    /// The answers the unit is made of; their defaults are the table's (AnswerKey).
    public static let keys: [AnswerKey] = [.user, .home, .agentDir, .venvPython, .tmuxSession, .unitName, .ollamaUnit, .ollamaURL]
    /// Set in the unit's environment; the tmux server keeps it, so a re-run can tell whether
    /// the running service was started from the unit as rendered now.
    public static let configVariable = "PHASE0_UNIT_CONFIG"
    public static let ollamaWaitSeconds = 110

    /// `tmux -L vybn attach -t vybn`: the guide's `tmux attach -t vybn` on the unit's own socket.
    public static func attachCommand(session: String) -> String { "tmux -L \(session) attach -t \(session)" }

    /// A tmux command on the agent's own server (`tmux -L SESSION ...`).
    public static func tmux(session: String, _ args: [String]) -> [String] { ["tmux", "-L", session] + args }
    public static let startTimeoutSeconds = 150

    /// The settings for `answers` (saved or given), each checked for its syntax. Whether the
    /// user, directories and python exist is the step's business, not the renderer's.
    public static func settings(answers: [String: String], host: Host) throws -> AgentUnitSettings {
        AgentUnitSettings(
            user: try AnswerKey.user.checked(in: answers),
            home: try AnswerKey.home.checked(in: answers),
            agentDir: try AnswerKey.agentDir.checked(in: answers),
            venvPython: try AnswerKey.venvPython.checked(in: answers),
            tmuxSession: try AnswerKey.tmuxSession.checked(in: answers),
            unitName: try AnswerKey.unitName.checked(in: answers),
            ollamaUnit: try AnswerKey.ollamaUnit.checked(in: answers),
            ollamaURL: try AnswerKey.ollamaURL.checked(in: answers),
            tmuxPath: host.which("tmux") ?? "/usr/bin/tmux",
            curlPath: host.which("curl") ?? "/usr/bin/curl")
    }

    /// The unit file's text.
    public static func render(_ settings: AgentUnitSettings) throws -> String {
        let draft = try render(settings, configHash: String(repeating: "0", count: 16))
        return try render(settings, configHash: ConfigHash.of(draft))
    }

    /// The hash the running service must carry in its environment to be the current unit.
    public static func configHash(_ settings: AgentUnitSettings) throws -> String {
        ConfigHash.of(try render(settings, configHash: String(repeating: "0", count: 16)))
    }

    static func render(_ s: AgentUnitSettings, configHash: String) throws -> String {
        let values: [String: String] = [
            "session": try UnitSyntax.value(s.tmuxSession, what: "the tmux session name"),
            "sessionArg": try UnitSyntax.execArgument(s.tmuxSession, what: "the tmux session name"),
            "user": try UnitSyntax.value(s.user, what: "the user"),
            "ollamaUnit": try UnitSyntax.value(s.ollamaUnit, what: "the Ollama unit"),
            "envHome": try UnitSyntax.environment("HOME", s.home),
            "envConfig": try UnitSyntax.environment(configVariable, configHash),
            "agentDir": try UnitSyntax.value(s.agentDir, what: "the agent directory"),
            "curl": try UnitSyntax.execProgram(s.curlPath, what: "the path of curl"),
            "ollamaTagsURL": try UnitSyntax.execArgument(s.ollamaURL + "/api/tags", what: "the Ollama URL"),
            "tmux": try UnitSyntax.execProgram(s.tmuxPath, what: "the path of tmux"),
            "python": try UnitSyntax.execArgument(s.venvPython, what: "the venv python"),
            "tui": try UnitSyntax.execArgument(s.tuiPath, what: "the path of tui.py"),
            "ollamaWaitSeconds": String(ollamaWaitSeconds),
            "ollamaRetries": String(ollamaWaitSeconds / 2),
            "startTimeoutSeconds": String(startTimeoutSeconds),
        ]
        return try EmbeddedTemplates.render("vybn-agent.service", values: values)
    }
}

/// A short fingerprint of a rendered configuration (FNV-1a, 64 bits): enough to notice that a
/// unit or a container was made from other values; not a security boundary.
public enum ConfigHash {
    public static func of(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
