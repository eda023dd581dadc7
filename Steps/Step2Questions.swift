import Phase0Parsers
import Phase0Core

/// Step 2's questions: who runs the agent, where it lives, which tmux session and unit, and
/// where Ollama is. Each answer is checked against the machine and against the unit file
/// syntax it ends up in, so a value that cannot work is refused while it is asked.
enum AgentServiceQuestions {
    static var all: [Question] { [user, home, agentDir, venvPython, tmuxSession, unitName, ollamaUnit, ollamaURL, model] }

    static func fallback(_ key: String) -> String { AgentUnit.defaults[key]! }

    /// `outcome`, then `more` on its value.
    static func then(_ outcome: Validate.Outcome, _ more: (String) -> String?) -> Validate.Outcome {
        guard case .success(let value) = outcome else { return outcome }
        if let reason = more(value) { return .failure(ValidationFailure(reason)) }
        return .success(value)
    }

    /// The reason `value` cannot be written where the unit uses it, or nil.
    static func unitRefusal(_ value: String, what: String, exec: Bool) -> String? {
        do {
            _ = exec ? try UnitSyntax.execArgument(value, what: what) : try UnitSyntax.value(value, what: what)
            return nil
        } catch { return "\(error)" }
    }

    static var user: Question { Question(
        key: "user", prompt: "User that runs the agent",
        help: "The account that owns ~/Vybn and the venv; the unit runs as this user (User=) and tmux attach works as them.",
        defaultValue: { _ in fallback("user") },
        validate: { raw, ctx in OperatorAccount.validate(raw, host: ctx.host) }
    ) }

    static var home: Question { Question(
        key: "home", prompt: "Home directory of that user",
        help: "Set as HOME in the unit.", completion: .paths,
        defaultValue: { ctx in ctx.answerIfGiven("user").flatMap { ctx.host.lookupUser($0)?.home } ?? fallback("home") },
        validate: { raw, ctx in
            then(Validate.absolutePath(raw, what: "the home directory")) { value in
                ctx.host.fileInfo(value)?.isDirectory == true ? nil : "\(value) is not a directory on \(ctx.host.name)"
            }
        }
    ) }

    static var agentDir: Question { Question(
        key: "agentDir", prompt: "Agent directory (holds tui.py)",
        help: "The guide's ~/Vybn/spark, with tui.py, agent.py and config.yaml.", completion: .paths,
        defaultValue: { ctx in
            (ctx.answerIfGiven("repoDir") ?? (ctx.answerIfGiven("home") ?? fallback("home")) + "/Vybn") + "/spark"
        },
        validate: { raw, ctx in
            then(Validate.absolutePath(raw, what: "the agent directory")) { value in
                if let refusal = unitRefusal(value, what: "the agent directory", exec: false) { return refusal }
                guard ctx.host.fileInfo(value)?.isDirectory == true else { return "\(value) is not a directory on \(ctx.host.name)" }
                guard ctx.host.fileExists(value + "/tui.py") else { return "\(value) holds no tui.py; give the directory that does" }
                return nil
            }
        }
    ) }

    static var venvPython: Question { Question(
        key: "venvPython", prompt: "Python of the agent's venv",
        help: "The interpreter that runs tui.py; phase0 runs it with --version as the user to be sure it works.", completion: .paths,
        defaultValue: { ctx in (ctx.answerIfGiven("home") ?? fallback("home")) + "/.venv/spark/bin/python" },
        validate: { raw, ctx in
            then(Validate.absolutePath(raw, what: "the venv python")) { value in
                guard ctx.host.fileExists(value) else { return "\(value) does not exist (create the venv first, or give its python)" }
                let user = ctx.answerIfGiven("user") ?? fallback("user")
                let runAs: RunAs = ctx.host.lookupUser(user) == nil ? .invoker : .user(user)
                guard let result = try? ctx.host.run(Command([value, "--version"], runAs: runAs, timeout: 30)) else {
                    return "\(value) could not be started"
                }
                guard result.succeeded, result.output.contains("Python") else {
                    return "\(value) --version, run as \(user), did not work: \(result.output.trimmingWhitespace())"
                }
                return nil
            }
        }
    ) }

    static var tmuxSession: Question { Question(
        key: "tmuxSession", prompt: "tmux session name",
        help: "The agent's tmux session, in a tmux server of its own named the same: you attach with tmux -L NAME attach -t NAME. The guide uses vybn.",
        defaultValue: { _ in fallback("tmuxSession") },
        validate: { raw, _ in Validate.tmuxSession(raw) }
    ) }

    static var unitName: Question { Question(
        key: "unitName", prompt: "systemd unit name",
        help: "Installed as /etc/systemd/system/NAME. The guide uses vybn-agent.service.",
        defaultValue: { _ in fallback("unitName") },
        validate: { raw, _ in Validate.unitName(raw) }
    ) }

    static var ollamaUnit: Question { Question(
        key: "ollamaUnit", prompt: "Ollama's systemd unit",
        help: "The agent starts after it (After=, Wants=). Ollama's installer names it ollama.service.",
        defaultValue: { _ in fallback("ollamaUnit") },
        validate: { raw, _ in Validate.unitName(raw) }
    ) }

    static var ollamaURL: Question { Question(
        key: "ollamaURL", prompt: "Ollama's URL",
        help: "Where Ollama's API answers on this machine; the unit waits for it before starting tui.py.",
        defaultValue: { _ in fallback("ollamaURL") },
        validate: { raw, _ in Validate.localHTTPURL(raw, what: "the Ollama URL") }
    ) }

    /// The models Ollama serves at the answered URL (its /api/tags), or nil when it does not answer.
    static func ollamaModels(_ ctx: StepContext) -> [String]? {
        let url = ctx.answerIfGiven("ollamaURL") ?? fallback("ollamaURL")
        return Probe.ollamaTags(ctx.host, url: url).map(Probe.modelNames(inTags:))
    }

    /// vybn:latest is the companion preflight script's name, a default, not a fact: it is the
    /// default only when Ollama serves it; otherwise the operator names the model (never -y).
    static var model: Question { Question(
        key: "model", prompt: "Model the agent uses (one Ollama serves)",
        help: "The Ollama model tui.py talks to (see config.yaml in the agent directory); phase0 reads Ollama's list (/api/tags), where the guide's companion script expects vybn:latest.",
        defaultValue: { ctx in ollamaModels(ctx)?.contains(GuideDefaults.fixed["model"]!) == true ? GuideDefaults.fixed["model"] : nil },
        validate: { raw, ctx in
            let value = raw.trimmingWhitespace()
            guard !value.isEmpty, !value.hasPrefix("-"), !Validate.hasControlCharacters(value), !value.contains(" ") else {
                return .failure(.init("\"\(value)\" is not a model name (like vybn:latest)"))
            }
            guard let models = ollamaModels(ctx) else { return .success(value) }
            guard models.contains(value) else {
                return .failure(.init("Ollama serves " + (models.isEmpty ? "no model" : models.joined(separator: ", ")) + "; \(value) is not one of them. Name the model the agent uses (phase0 does not pull or create models: the memory is the model's)"))
            }
            return .success(value)
        }
    ) }
}
