import Phase0Core
import Phase0Parsers

/// Every answer the procedure knows, in one table: its key (as saved in the resume file and
/// given in `--answers`), the guide's default (DESIGN.md §1), what it means and who asks it.
/// The questions, preflight, troubleshoot, reference, render and the answers-file checker all
/// read their defaults and keys from here, so a default changed here changes everywhere.
public enum AnswerKey: String, CaseIterable, Sendable {
    case swapfile, swapSize, swappiness
    case installMosh
    case user, home, repoDir, agentDir, venvPython, tmuxSession, unitName, ollamaUnit, ollamaURL
    case webuiImage, webuiContainer, webuiVolume, webuiPort, webuiNetwork
    case model
    case replaceTmuxSession, replaceContainer, stopOtherAgent
    case unplugLidClosed, unplugPhoneChat, unplugTmuxIntact

    /// Who gives the answer.
    public enum Asker: Equatable, Sendable {
        /// A question of these steps (ollamaURL is Step 2's and Step 3's); the operator-account
        /// question before Step 0 (run as root) asks `user` too.
        case question(steps: [Int])
        /// Whether to do an optional step at all.
        case optionalStep(Int)
        /// A yes/no asked inside an action, per run: from `--answers` only, never saved.
        case decision(step: Int)
        /// What the operator saw (Step 5's checks 1–3): never defaulted, never answered by -y.
        case observation(step: Int)
        /// Never asked: read by preflight and troubleshoot, and by the defaults derived from it.
        case checksOnly
    }

    /// How the guide's default is found.
    enum Rule: Sendable {
        case fixed(String)
        /// Computed from other answers (given, or their own defaults): a home under /home/USER.
        case derived(@Sendable (_ value: (AnswerKey) -> String) -> String)
        case none
    }

    public struct Entry: Sendable {
        public var meaning: String
        public var askedBy: Asker
        let rule: Rule
    }

    /// The table.
    public var entry: Entry {
        switch self {
        case .swapfile: return Entry(meaning: "where Step 0's swapfile goes", askedBy: .question(steps: [0]), rule: .fixed("/swapfile"))
        case .swapSize:
            return Entry(meaning: "the swapfile's size (binary units, as fallocate)", askedBy: .question(steps: [0]), rule: .fixed("128G"))
        case .swappiness: return Entry(meaning: "vm.swappiness, now and after reboot", askedBy: .question(steps: [0]), rule: .fixed("10"))
        case .installMosh:
            return Entry(meaning: "whether to do the optional Step 1 (-y answers yes)", askedBy: .optionalStep(1), rule: .fixed("yes"))
        case .user:
            return Entry(meaning: "the operator's account, which runs the agent", askedBy: .question(steps: [2]), rule: .fixed("vybnz69"))
        case .home:
            return Entry(
                meaning: "that user's home (HOME in the unit)", askedBy: .question(steps: [2]),
                rule: .derived { $0(.user) == "root" ? "/root" : "/home/" + $0(.user) })
        case .repoDir: return Entry(meaning: "the Vybn repository (~/Vybn)", askedBy: .checksOnly, rule: .derived { $0(.home) + "/Vybn" })
        case .agentDir:
            return Entry(
                meaning: "the agent's directory, with tui.py", askedBy: .question(steps: [2]), rule: .derived { $0(.repoDir) + "/spark" })
        case .venvPython:
            return Entry(
                meaning: "the python of the agent's venv", askedBy: .question(steps: [2]),
                rule: .derived { $0(.home) + "/.venv/spark/bin/python" })
        case .tmuxSession: return Entry(meaning: "the agent's tmux session", askedBy: .question(steps: [2]), rule: .fixed("vybn"))
        case .unitName:
            return Entry(meaning: "the agent's systemd unit", askedBy: .question(steps: [2]), rule: .fixed("vybn-agent.service"))
        case .ollamaUnit: return Entry(meaning: "Ollama's systemd unit", askedBy: .question(steps: [2]), rule: .fixed("ollama.service"))
        case .ollamaURL:
            return Entry(meaning: "where Ollama's API answers", askedBy: .question(steps: [2, 3]), rule: .fixed("http://127.0.0.1:11434"))
        case .webuiImage:
            return Entry(meaning: "Open WebUI's image", askedBy: .question(steps: [3]), rule: .fixed("ghcr.io/open-webui/open-webui:main"))
        case .webuiContainer: return Entry(meaning: "Open WebUI's container", askedBy: .question(steps: [3]), rule: .fixed("open-webui"))
        case .webuiVolume: return Entry(meaning: "Open WebUI's data volume", askedBy: .question(steps: [3]), rule: .fixed("open-webui"))
        case .webuiPort: return Entry(meaning: "Open WebUI's port on 127.0.0.1", askedBy: .question(steps: [3]), rule: .fixed("3000"))
        case .webuiNetwork:
            return Entry(meaning: "Open WebUI's network: auto, host or bridge", askedBy: .question(steps: [3]), rule: .fixed("auto"))
        case .model:
            // vybn:latest is the companion preflight script's name: the question's default only
            // when Ollama serves it (Step 2 reads Ollama's list).
            return Entry(
                meaning: "the model the agent uses (one Ollama serves)", askedBy: .question(steps: [2]), rule: .fixed("vybn:latest"))
        case .replaceTmuxSession:
            return Entry(meaning: "stop a tmux server on the agent's socket run by hand", askedBy: .decision(step: 2), rule: .none)
        case .stopOtherAgent:
            return Entry(meaning: "stop a tui.py or web_serve.py running outside the unit", askedBy: .decision(step: 2), rule: .none)
        case .replaceContainer:
            return Entry(meaning: "replace a container not made from these values", askedBy: .decision(step: 3), rule: .none)
        case .unplugLidClosed: return Entry(meaning: "Unplug check 1: lid closed 5 minutes", askedBy: .observation(step: 5), rule: .none)
        case .unplugPhoneChat: return Entry(meaning: "Unplug check 2: phone chat works", askedBy: .observation(step: 5), rule: .none)
        case .unplugTmuxIntact: return Entry(meaning: "Unplug check 3: TUI intact", askedBy: .observation(step: 5), rule: .none)
        }
    }

    /// The guide's default, derived from `given` where it depends on other answers (home from
    /// user, ...); nil for answers that have none (decisions and observations).
    public func defaultValue(given: (AnswerKey) -> String?) -> String? {
        switch entry.rule {
        case .fixed(let value): return value
        case .none: return nil
        case .derived(let derive): return derive { $0.value(given: given) ?? "" }
        }
    }

    /// The guide's default when nothing else is given.
    public var guideDefault: String? { defaultValue { _ in nil } }

    /// The given answer, else the guide's default.
    public func value(given: (AnswerKey) -> String?) -> String? { given(self) ?? defaultValue(given: given) }

    /// `value(given:)` over saved answers, keyed as in the resume file.
    public func value(in answers: [String: String]) -> String? { value { answers[$0.rawValue] } }

    /// Every key an answers file may hold.
    public static var names: Set<String> { Set(allCases.map(\.rawValue)) }
}

extension StepContext {
    public func answer(_ key: AnswerKey) throws -> String { try answer(key.rawValue) }
    public func answerIfGiven(_ key: AnswerKey) -> String? { answerIfGiven(key.rawValue) }
    /// The answer given so far, else the table's default derived from the answers given.
    public func answerOrDefault(_ key: AnswerKey) -> String? { key.value { answerIfGiven($0) } }
    /// A value from `--answers` for a decision asked inside an action.
    public func preset(_ key: AnswerKey) -> String? { presetAnswers[key.rawValue] }
}
