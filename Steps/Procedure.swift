import Phase0Parsers
import Phase0Core

/// The whole procedure, in the guide's order.
public enum Procedure {
    public static func steps() -> [Step] {
        [SwapStep.make(), MoshStep.make(), AgentServiceStep.make(), OpenWebUIStep.make(),
         TailscaleServeStep.make(), UnplugProtocolStep.make()]
    }
}

/// Small readers shared by the steps.
extension StepContext {
    public func swapAreas() -> [SwapArea] {
        (try? ProcSwaps.parse(host.readFile("/proc/swaps") ?? "")) ?? []
    }

    public func memInfo() -> MemInfo? { try? MemInfo.parse(host.readFile("/proc/meminfo") ?? "") }

    /// (filesystem type, available bytes) of the filesystem holding `path`.
    public func filesystem(of path: String) -> (type: String, availBytes: Int64)? {
        guard let text = host.output(["findmnt", "-bno", "FSTYPE,AVAIL", "-T", path]) else { return nil }
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

    static func firstFreeBackup(for path: String, host: Host) -> Int {
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
        ProcedureDefinition(steps: steps(), answerKeys: answerKeys(), prelude: { host, options in
            OperatorAccount.mustAsk(host: host) ? [OperatorAccount.question(sudoUser: options.sudoUser)] : []
        }, epilogue: { ctx in epilogue(try? ctx.guideAnswers()) })
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
        let repo = answers.map { $0.agentDir.hasSuffix("/spark") ? String($0.agentDir.dropLast("/spark".count)) : $0.agentDir } ?? "~/Vybn"
        let unit = answers?.unitName ?? "vybn-agent.service"
        let session = answers?.tmuxSession ?? "vybn"
        var text = "\nWhat Phase 0 does not do (Phase 1+, in the guide's words):\n"
        text += notDone.map { "  - \($0)" }.joined(separator: "\n")
        text += "\nKeeping the agent current: cd \(shellQuote(repo)) && git pull, then sudo systemctl restart \(unit)"
        text += " (restarts tui.py with the new code). The agent's TUI: \(AgentUnit.attachCommand(session: session))."
        return text
    }

    /// Every key an answers file may hold: the questions, the optional steps, the observations.
    public static func answerKeys() -> Set<String> {
        var keys: Set<String> = []
        for step in steps() {
            keys.formUnion(step.questions.map(\.key))
            if let optional = step.optional { keys.insert(optional.answerKey) }
            for action in step.actions {
                if case .observation(_, let key) = action.kind { keys.insert(key) }
            }
        }
        return keys.union(extraAnswerKeys).union([OperatorAccount.key])
    }

    /// Decisions asked inside actions rather than as questions, and values only the checks read
    /// (preflight and troubleshoot look for the repo and the model; GuideAnswers validates them).
    static let extraAnswerKeys: Set<String> = ["replaceTmuxSession", "replaceContainer", "stopOtherAgent", "repoDir"]
}
