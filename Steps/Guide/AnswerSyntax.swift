import Phase0Core
import Phase0Parsers

/// What every value of an answer must look like, wherever it comes from: a question, the
/// resume file, `--answers`, `render`. Checked once here; the questions add what only the
/// machine can tell (a directory exists, a python runs) on top.
extension AnswerKey {
    public func validate(_ raw: String) -> Validate.Outcome {
        switch self {
        case .swapfile: return Validate.absolutePath(raw, what: "the swapfile path", allowSpaces: false)
        case .swapSize: return Validate.swapSize(raw)
        case .swappiness: return Validate.integer(raw, what: "swappiness", range: 0...100)
        case .installMosh, .replaceTmuxSession, .replaceContainer, .stopOtherAgent, .unplugLidClosed, .unplugPhoneChat, .unplugTmuxIntact:
            return yesOrNo(raw)
        case .user:
            let value = raw.trimmingWhitespace()
            guard Validate.isPortableName(value, maxLength: 32, allowDot: true), !value.hasPrefix("-") else {
                return .failure(.init("\"\(value)\" is not a valid user name (letters, digits, '.', '_', '-'; at most 32)"))
            }
            return .success(value)
        case .home: return Validate.absolutePath(raw, what: "the home directory")
        case .repoDir: return Validate.absolutePath(raw, what: "the repository")
        case .agentDir: return Validate.absolutePath(raw, what: "the agent directory")
        case .venvPython: return Validate.absolutePath(raw, what: "the venv python")
        case .tmuxSession: return Validate.tmuxSession(raw)
        case .unitName, .ollamaUnit: return Validate.unitName(raw)
        case .ollamaURL: return Validate.localHTTPURL(raw, what: "the Ollama URL")
        case .webuiImage: return Validate.imageReference(raw)
        case .webuiContainer: return Validate.dockerName(raw, what: "the container name")
        case .webuiVolume: return Validate.dockerName(raw, what: "the volume name")
        case .webuiPort: return Validate.port(raw)
        case .webuiNetwork: return Validate.choice(raw, among: WebUINetwork.choices)
        case .model:
            let value = raw.trimmingWhitespace()
            guard !value.isEmpty, !value.hasPrefix("-"), !Validate.hasControlCharacters(value), !value.contains(" ") else {
                return .failure(.init("\"\(value)\" is not a model name (like vybn:latest)"))
            }
            return .success(value)
        }
    }

    /// The answer in `given`, else the table's default, validated; a refusal names the key
    /// (`named`: "webuiPort", or 'saved answer "webuiPort"').
    public func checked(given: (AnswerKey) -> String?, named: String? = nil) throws -> String {
        try validate(value(given: given) ?? "").named(named ?? rawValue)
    }

    public func checked(in answers: [String: String], named: String? = nil) throws -> String {
        try checked(given: { answers[$0.rawValue] }, named: named)
    }
}

extension Question {
    /// The question for `key`: its default is the table's (derived from the answers given so
    /// far) unless `defaultValue` also asks the machine; every answer is checked for the key's
    /// syntax, then by `onThisMachine`, which says why a well-formed value cannot work here.
    init(
        _ key: AnswerKey, prompt: String, help: String, completion: Completion = .none,
        defaultValue: ((StepContext) -> String?)? = nil, onThisMachine: ((String, StepContext) -> String?)? = nil
    ) {
        self.init(key, prompt: prompt, help: help, completion: completion, defaultValue: defaultValue) { raw, ctx in
            let outcome = key.validate(raw)
            guard case .success(let value) = outcome, let reason = onThisMachine?(value, ctx) else { return outcome }
            return .failure(ValidationFailure(reason))
        }
    }

    /// The question for `key` with a validator of its own (the operator's account, which may
    /// be root only when confirmed at the prompt).
    init(
        _ key: AnswerKey, prompt: String, help: String, completion: Completion = .none,
        defaultValue: ((StepContext) -> String?)? = nil,
        validate: @escaping (String, StepContext) -> Result<String, ValidationFailure>
    ) {
        self.init(
            key: key.rawValue, prompt: prompt, help: help, completion: completion,
            defaultValue: defaultValue ?? { $0.answerOrDefault(key) }, validate: validate)
    }
}
