import Phase0Core
import Phase0Parsers

/// Step 2's questions: who runs the agent, where it lives, which tmux session and unit, and
/// where Ollama is, and which of Ollama's models the agent uses. Each answer is checked against the machine and against the unit file
/// syntax it ends up in, so a value that cannot work is refused while it is asked.
enum AgentServiceQuestions {
    static var all: [Question] { [user, home, agentDir, venvPython, tmuxSession, unitName, ollamaUnit, ollamaURL, model] }

    /// The reason `value` cannot be written where the unit uses it, or nil.
    static func unitRefusal(_ value: String, what: String, exec: Bool) -> String? {
        do {
            _ = exec ? try UnitSyntax.execArgument(value, what: what) : try UnitSyntax.value(value, what: what)
            return nil
        } catch { return "\(error)" }
    }

    static var user: Question {
        Question(
            .user, prompt: "User that runs the agent",
            help: "The account that owns ~/Vybn and the venv; the unit runs as this user (User=) and tmux attach works as them.",
            validate: { raw, ctx in OperatorAccount.validate(raw, host: ctx.host) }
        )
    }

    static var home: Question {
        Question(
            .home, prompt: "Home directory of that user",
            help: "Set as HOME in the unit.", completion: .paths,
            // The user's home as the machine knows it; the table's /home/USER when it cannot tell.
            defaultValue: { ctx in ctx.answerIfGiven(.user).flatMap { ctx.host.lookupUser($0)?.home } ?? ctx.answerOrDefault(.home) },
            onThisMachine: { value, ctx in
                ctx.host.fileInfo(value)?.isDirectory == true ? nil : "\(value) is not a directory on \(ctx.host.name)"
            }
        )
    }

    static var agentDir: Question {
        Question(
            .agentDir, prompt: "Agent directory (holds tui.py)",
            help: "The guide's ~/Vybn/spark, with tui.py, agent.py and config.yaml.", completion: .paths,
            onThisMachine: { value, ctx in
                if let refusal = unitRefusal(value, what: "the agent directory", exec: false) { return refusal }
                guard ctx.host.fileInfo(value)?.isDirectory == true else { return "\(value) is not a directory on \(ctx.host.name)" }
                guard ctx.host.fileExists(value + "/tui.py") else { return "\(value) holds no tui.py; give the directory that does" }
                return nil
            }
        )
    }

    static var venvPython: Question {
        Question(
            .venvPython, prompt: "Python of the agent's venv",
            help: "The interpreter that runs tui.py; phase0 runs it with --version as the user to be sure it works.", completion: .paths,
            onThisMachine: { value, ctx in
                guard ctx.host.fileExists(value) else { return "\(value) does not exist (create the venv first, or give its python)" }
                let user = ctx.answerOrDefault(.user) ?? ""
                let runAs: RunAs = ctx.host.lookupUser(user) == nil ? .invoker : .user(user)
                let result: CommandResult
                do { result = try ctx.host.run(Command([value, "--version"], runAs: runAs, timeout: 30)) } catch {
                    return "\(value) could not be started: \(error)"
                }
                guard result.succeeded, result.output.contains("Python") else {
                    return "\(value) --version, run as \(user), did not work: \(result.output.trimmingWhitespace())"
                }
                return nil
            }
        )
    }

    static var tmuxSession: Question {
        Question(
            .tmuxSession, prompt: "tmux session name",
            help:
                "The agent's tmux session, in a tmux server of its own named the same: you attach with tmux -L NAME attach -t NAME. The guide uses vybn."
        )
    }

    static var unitName: Question {
        Question(
            .unitName, prompt: "systemd unit name",
            help: "Installed as /etc/systemd/system/NAME. The guide uses vybn-agent.service."
        )
    }

    static var ollamaUnit: Question {
        Question(
            .ollamaUnit, prompt: "Ollama's systemd unit",
            help: "The agent starts after it (After=, Wants=). Ollama's installer names it ollama.service."
        )
    }

    static var ollamaURL: Question {
        Question(
            .ollamaURL, prompt: "Ollama's URL",
            help: "Where Ollama's API answers on this machine; the unit waits for it before starting tui.py."
        )
    }

    /// The models Ollama serves at the answered URL (its /api/tags); unknown when it does not answer.
    static func ollamaModels(_ ctx: StepContext) -> Lookup<[String]> {
        Probe.ollamaTags(ctx.host, url: ctx.answerOrDefault(.ollamaURL) ?? "").map(Probe.modelNames(inTags:))
    }

    /// vybn:latest is the companion preflight script's name, a default, not a fact: it is the
    /// default only when Ollama's list has it; when the list lacks it the operator names the
    /// model (never -y). When Ollama cannot be asked yet (Step 2's unit waits for it), the
    /// table's value stands, as the home question's does when the machine cannot tell.
    static var model: Question {
        Question(
            .model, prompt: "Model the agent uses (one Ollama serves)",
            help:
                "The Ollama model tui.py talks to (see config.yaml in the agent directory); phase0 reads Ollama's list (/api/tags), where the guide's companion script expects vybn:latest.",
            defaultValue: { ctx in
                let guide = AnswerKey.model.guideDefault ?? ""
                guard let models = ollamaModels(ctx).value else { return guide }
                return models.contains(guide) ? guide : nil
            },
            onThisMachine: { value, ctx in
                // Ollama not answering yet (Step 2's unit waits for it): the name is taken as given.
                guard let models = ollamaModels(ctx).value, !models.contains(value) else { return nil }
                return "Ollama serves " + (models.isEmpty ? "no model" : models.joined(separator: ", "))
                    + "; \(value) is not one of them. Name the model the agent uses (phase0 does not pull or create models: the memory is the model's)"
            }
        )
    }
}
