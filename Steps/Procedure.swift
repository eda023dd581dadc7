import Phase0Core
import Phase0Parsers

/// The whole procedure, in the guide's order.
public enum Procedure {
    public static func steps() -> [Step] {
        [
            SwapStep.make(), MoshStep.make(), AgentServiceStep.make(), OpenWebUIStep.make(),
            TailscaleServeStep.make(), UnplugProtocolStep.make(),
        ]
    }
}

/// Small readers shared by the steps.
extension StepContext {
    /// The active swap areas; an unreadable /proc/swaps is an error, never "no swap".
    public func swapAreas() throws -> [SwapArea] { try SwapGate.readSwaps(host) }

    public func memInfo() throws -> MemInfo { try MemInfo.read(host) }

    /// A file's text before phase0 writes it (nil: there is none). One that exists but cannot
    /// be read is an error: its diff cannot be shown, and "new file" would be untrue.
    public func currentContent(of path: String) throws -> String? {
        switch host.lookupFile(path) {
        case .found(let text): return text
        case .absent: return nil
        case .unknown(let why): throw ValidationFailure("phase0 cannot read what \(path) holds now: \(why)")
        }
    }

    /// The refusal for a per-run decision from `--answers` (replaceContainer...): none when it
    /// is not given or says yes, `whenNo` when it says no.
    public func decisionRefusal(_ key: AnswerKey, whenNo: () -> String) -> String? {
        guard let given = preset(key) else { return nil }
        switch YesNo.parse(given) {
        case true?: return nil
        case false?: return whenNo()
        case nil: return "\(key.rawValue) must be yes or no, not \"\(given)\""
        }
    }

    /// (filesystem type, available bytes) of the filesystem holding `path`; nil when findmnt
    /// cannot tell, which Step 0 refuses on before allocating anything.
    public func filesystem(of path: String) -> (type: String, availBytes: Int64)? {
        guard let text = host.probe(["findmnt", "-bno", "FSTYPE,AVAIL", "-T", path]).value else { return nil }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard fields.count >= 2, let avail = Int64(fields[1]) else { return nil }
        return (String(fields[0]), avail)
    }
}

/// Commands that replace a file under /etc atomically: content to a temporary file beside
/// it, then a rename over the old one. A backup is taken first when the file exists.
public enum AtomicWrite {
    public static func commands(path: String, content: String, mode: String, host: Host) -> [Command] {
        var commands: [Command] = []
        if host.fileExists(path) && !isBackedUp(path, host: host) {
            commands.append(.privileged(["cp", "-p", "--no-clobber", path, backupPath(for: path, host: host)]))
        }
        let temporary = path + ".phase0-new"
        commands.append(.privileged(["install", "-m", mode, "/dev/stdin", temporary], input: content))
        commands.append(.privileged(["mv", "-f", temporary, path]))
        return commands
    }

    /// The first free `PATH.phase0-backup.N`: an older backup is never overwritten.
    public static func backupPath(for path: String, host: Host) -> String {
        "\(path).phase0-backup.\(firstFreeBackup(for: path, host: host))"
    }

    public static func firstFreeBackup(for path: String, host: Host) -> Int {
        var index = 1
        while host.fileExists("\(path).phase0-backup.\(index)") { index += 1 }
        return index
    }

    /// Whether the newest backup already holds exactly what is there now. After a cut between
    /// the backup and the rename, the resumed run must not pile up a second identical copy.
    static func isBackedUp(_ path: String, host: Host) -> Bool {
        let newest = firstFreeBackup(for: path, host: host) - 1
        guard newest >= 1, let current = host.readFile(path) else { return false }
        return host.readFile("\(path).phase0-backup.\(newest)") == current
    }
}

extension Procedure {
    /// What the engine runs: the steps, the keys an answers file may hold, and the question
    /// asked before Step 0 when phase0 runs as root (whose agent this is).
    public static func definition() -> ProcedureDefinition {
        ProcedureDefinition(
            steps: steps(), answerKeys: answerKeys(), otherAnswerRules: otherAnswerRules,
            prelude: { host, options in
                OperatorAccount.mustAsk(host: host) ? [OperatorAccount.question(sudoUser: options.sudoUser)] : []
            }, overview: RunSummary.overview, summary: RunSummary.lines)
    }

    /// The guide's "What This Does NOT Do (Phase 1+)", and how the agent stays current.
    static let notDone = [
        "Route Open WebUI through the full agent pipeline (soul, memory, policy): it talks to raw Ollama",
        "Provide multi-user auth on Open WebUI (one admin; sign-up stays closed)",
        "Auto-update the agent on git push",
        "Monitor GPU temperature and throttle",
        "Alert on prolonged heartbeat gaps",
    ]

    public static func epilogue(_ answers: GuideAnswers?) -> String {
        // Saved answers that cannot be read back: the guide's values, from the table.
        func given(_ key: AnswerKey) -> String { key.guideDefault ?? "" }
        let agentDir = answers?.agentDir ?? AnswerKey.agentDir.value(in: [:]) ?? ""
        let repo = agentDir.hasSuffix("/spark") ? String(agentDir.dropLast("/spark".count)) : agentDir
        let unit = answers?.unitName ?? given(.unitName)
        let session = answers?.tmuxSession ?? given(.tmuxSession)
        var text = "\nWhat Phase 0 does not do (Phase 1+, in the guide's words):\n"
        text += notDone.map { "  - \($0)" }.joined(separator: "\n")
        text += "\nKeeping the agent current: cd \(shellQuote(repo)) && git pull, then sudo systemctl restart \(unit)"
        text += " (restarts tui.py with the new code). The agent's TUI: \(AgentUnit.attachCommand(session: session))."
        return text
    }

    /// Every key an answers file may hold: the table's (AnswerKey), which a test holds to what
    /// the steps ask.
    public static func answerKeys() -> Set<String> { AnswerKey.names }

    /// The rules of the keys no question asks (decisions, values only checks read), so the
    /// whole answers file is checked before Step 0: the table's own syntax for each.
    static var otherAnswerRules: [String: (String) -> Validate.Outcome] {
        let asked = Set(steps().flatMap { $0.questions.map(\.key) })
        var rules: [String: (String) -> Validate.Outcome] = [:]
        for key in AnswerKey.allCases where !asked.contains(key.rawValue) {
            rules[key.rawValue] = { key.validate($0) }
        }
        return rules
    }
}
