import Phase0Core
import Phase0Parsers

/// `phase0 troubleshoot`: the guide's troubleshooting flows, run read-only. Each finding says
/// what was looked at, what was seen, and, when it is a problem, what to do about it.
public enum Troubleshooting {
    public enum Flow: String, CaseIterable, Sendable {
        case service, oom, webui, tailscale

        public var title: String {
            switch self {
            case .service: return "Service won't start"
            case .oom: return "OOM kills or system unresponsive"
            case .webui: return "Open WebUI can't reach Ollama"
            case .tailscale: return "Tailscale Serve not working"
            }
        }
    }

    public struct Finding: Equatable, Sendable {
        public enum Kind: String, Sendable { case ok, problem, info }
        public var kind: Kind
        public var title: String
        public var seen: String
        /// What to do (for a problem), or a hint.
        public var todo: String?

        public init(_ kind: Kind, _ title: String, seen: String, todo: String? = nil) {
            self.kind = kind
            self.title = title
            self.seen = seen
            self.todo = todo
        }
    }

    public static func run(_ flow: Flow, host: Host, answers: GuideAnswers) -> [Finding] {
        switch flow {
        case .service: return service(host, answers)
        case .oom: return oom(host, answers)
        case .webui: return webui(host, answers)
        case .tailscale: return tailscale(host, answers)
        }
    }

    /// Runs `flows` (all when empty) and writes the findings; failed when any is a problem.
    public static func report(_ flows: [Flow], host: Host, answers: GuideAnswers, output: Output) -> RunOutcome {
        output.write("Troubleshooting on \(host.name) (read-only: nothing is changed).\n\n")
        var problems = 0
        for flow in flows.isEmpty ? Flow.allCases : flows {
            let findings = run(flow, host: host, answers: answers)
            problems += findings.filter { $0.kind == .problem }.count
            output.write(render(flow, findings) + "\n")
        }
        return problems == 0 ? .complete : .failed("\(problems) problem\(problems == 1 ? "" : "s") found")
    }

    public static func render(_ flow: Flow, _ findings: [Finding]) -> String {
        var text = "== \(flow.title) (phase0 troubleshoot \(flow.rawValue)) ==\n"
        for finding in findings {
            let tag = finding.kind == .problem ? "PROBLEM" : finding.kind.rawValue
            text += "  [\(tag)]".padding(12) + finding.title + "\n"
            for (index, line) in finding.seen.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                text += String(repeating: " ", count: 12) + (index == 0 ? "seen: " : "      ") + line + "\n"
            }
            if let todo = finding.todo {
                for (index, line) in todo.split(separator: "\n").enumerated() {
                    text += String(repeating: " ", count: 12) + (index == 0 ? "do:   " : "      ") + line + "\n"
                }
            }
        }
        let problems = findings.filter { $0.kind == .problem }.count
        text += problems == 0 ? "  No problem found.\n" : "  \(problems) problem\(problems == 1 ? "" : "s") found.\n"
        return text
    }

    /// Lines that mention `words`, case-insensitively, the last `limit` of them.
    static func lines(in text: String, mentioning words: [String], limit: Int) -> [String] {
        let matching = text.split(separator: "\n").filter { line in
            let lower = line.lowercased()
            return words.contains { lower.contains($0) }
        }
        return matching.suffix(limit).map(String.init)
    }

    // MARK: - Service won't start

    static func service(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        let unit = a.unitName
        let unitFile = "/etc/systemd/system/\(unit)"
        let state = Probe.unitActive(host, unit).describe(absent: "inactive") { $0 }
        let installed = host.fileExists(unitFile)
        if state == "active" {
            findings.append(Finding(.ok, "\(unit) is active", seen: "systemctl is-active \(unit): active"))
        } else if !installed {
            findings.append(
                Finding(
                    .problem, "\(unit) is not installed", seen: "\(unitFile) does not exist",
                    todo: "Run phase0 (Step 2 installs and starts it)."))
        } else {
            findings.append(
                Finding(
                    .problem, "\(unit) is not running", seen: "systemctl is-active \(unit): \(state)",
                    todo: "Read its log (below), fix the cause, then: sudo systemctl restart \(unit)"))
        }

        let journalArgv = ["journalctl", "-u", unit, "-n", "50", "--no-pager"]
        let asRoot = host.probe(.rootProbe(journalArgv, timeout: 20))
        let journal = asRoot.value ?? host.probe(journalArgv, timeout: 20).value
        if let journal {
            let tail = journal.split(separator: "\n").suffix(12).joined(separator: "\n")
            findings.append(
                Finding(
                    .info, "Last lines of its log (journalctl -u \(unit) -n 50)",
                    seen: tail.isEmpty ? "(empty)" : tail, todo: "Full log: sudo journalctl -u \(unit) -n 50"))
        } else {
            findings.append(
                Finding(
                    .info, "Its log could not be read", seen: asRoot.unknownReason ?? "journalctl failed",
                    todo: "sudo journalctl -u \(unit) -n 50"))
        }
        let duplicate = journal?.lowercased().contains("duplicate session") == true

        let hasSession = Probe.tmuxHasSession(host, user: a.user, socket: a.tmuxSocket, session: a.tmuxSession)
        let socket = "tmux -L \(a.tmuxSocket)"
        if case .unknown(let why) = hasSession {
            findings.append(
                Finding(
                    .problem, "Cannot tell whether tmux session \(a.tmuxSession) runs", seen: why,
                    todo: "As \(a.user): \(socket) ls (phase0 asks tmux as that user with sudo -n -u)"))
        }
        switch (state == "active", hasSession.value != nil) {
        case (true, true):
            findings.append(
                Finding(
                    .ok, "tmux session \(a.tmuxSession) runs", seen: "\(socket) has-session -t \(a.tmuxSession) as \(a.user): yes",
                    todo:
                        "Attach: \(AgentUnit.attachCommand(session: a.tmuxSession)) (the guide's `tmux attach -t vybn` looks in your own tmux)"
                ))
        case (false, true):
            findings.append(
                Finding(
                    .problem, "tmux session \(a.tmuxSession) already exists outside the unit",
                    seen: "a session \(a.tmuxSession) of \(a.user) runs on the agent's socket while \(unit) is \(state)"
                        + (duplicate ? "; the log says \"duplicate session\"" : "")
                        + ": probably started by hand, so the unit's `tmux new-session` fails",
                    todo:
                        "Save anything you need in it, then, from a terminal that is not inside it:\n\(socket) kill-session -t \(a.tmuxSession) && sudo systemctl restart \(unit)"
                ))
        case (true, false) where hasSession.unknownReason == nil:
            findings.append(
                Finding(
                    .problem, "\(unit) is active but there is no tmux session \(a.tmuxSession)",
                    seen: "\(socket) has-session -t \(a.tmuxSession) as \(a.user): no",
                    todo:
                        "The TUI may have just exited (Restart=always brings it back in 10 s). Otherwise the unit's tmux runs as another user or with another socket: sudo systemctl status \(unit)"
                ))
        case (false, false) where hasSession.unknownReason == nil:
            findings.append(Finding(.info, "No tmux session \(a.tmuxSession)", seen: "nothing runs; \(unit) is \(state)"))
        default:
            break  // cannot tell: said above
        }
        switch Probe.agentProcesses(host, outsideUnit: unit) {
        case .found(let processes):
            for process in processes {
                findings.append(
                    Finding(
                        .problem, "\(process.script) runs outside \(unit)",
                        seen: "PID \(process.pid) (\(process.user)): \(process.commandLine)",
                        todo:
                            "The guide runs one agent (tui.py under systemd); two compete for the GPU. Stop it: kill \(process.pid) (or run phase0: Step 2 asks before stopping it)"
                    ))
            }
        case .absent: break
        case .unknown(let why):
            findings.append(
                Finding(.info, "Cannot tell whether another agent runs", seen: why, todo: "ps -ef | grep -e tui.py -e web_serve.py"))
        }

        let python = a.venvPython
        if !host.fileExists(python) {
            findings.append(
                Finding(
                    .problem, "Python venv not found", seen: "\(python) does not exist",
                    todo: "Verify \(python) exists: create the venv, or give its real path (phase0 reset, then run phase0 again)."))
        } else if let version = host.probe([python, "--version"], runAs: .user(a.user)).value?.trimmingWhitespace() {
            findings.append(Finding(.ok, "venv python runs", seen: "\(python): \(version)"))
        } else {
            findings.append(
                Finding(
                    .problem, "venv python does not run", seen: "\(python) --version failed as \(a.user)",
                    todo: "Recreate the venv (its base python may have been upgraded or removed)."))
        }

        let tui = a.agentDir + "/tui.py"
        if !host.fileExists(tui) {
            findings.append(
                Finding(
                    .problem, "tui.py not found", seen: "\(tui) does not exist",
                    todo: "cd ~/Vybn && git pull, or give the real agent directory (phase0 reset, then run phase0)."))
        }

        findings.append(contentsOf: ollamaFindings(host, a))
        return findings
    }

    /// Ollama's service and API (the unit waits for the API before starting the TUI).
    static func ollamaFindings(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        let state = Probe.unitActive(host, a.ollamaUnit).describe(absent: "inactive") { $0 }
        guard state == "active" else {
            return [
                Finding(
                    .problem, "Ollama not ready: \(a.ollamaUnit) is \(state)", seen: "systemctl is-active \(a.ollamaUnit): \(state)",
                    todo: "systemctl status \(a.ollamaUnit); sudo systemctl start \(a.ollamaUnit) (the agent's unit waits for its API)")
            ]
        }
        guard let tags = Probe.ollamaTags(host, url: a.ollamaURL).value else {
            return [
                Finding(
                    .problem, "Ollama's API does not answer",
                    seen: "\(a.ollamaUnit) is active, but \(a.ollamaURL)/api/tags gives no answer",
                    todo: "It may still be loading the model: wait a minute; otherwise journalctl -u \(a.ollamaUnit) -n 50")
            ]
        }
        findings.append(Finding(.ok, "Ollama answers at \(a.ollamaURL)", seen: "\(a.ollamaUnit) active; /api/tags answers"))
        let models = Probe.modelNames(inTags: tags)
        if !models.contains(a.model) {
            // Pulling or creating a model loads gigabytes next to one that already fills memory.
            let todo =
                Probe.memoryIsFull(host)
                ? "The agent uses the model named in its config.yaml. If it is one of these, give its name to phase0 (\"model\" in the answers file, or at Step 2's question). Memory is full (MemAvailable under \(ByteSize.human(kiB: Probe.fullMemoryKiB))): adding a model to Ollama now would push the running one out of RAM."
                : "ollama list; give phase0 the model the agent uses (\"model\"), or make \(a.model) available in Ollama."
            findings.append(
                Finding(
                    .problem, "model \(a.model) is not in Ollama",
                    seen: "models: " + (models.isEmpty ? "none" : models.joined(separator: ", ")), todo: todo))
        }
        return findings
    }
}
