import Phase0Core
import Phase0Parsers
import Phase0Templates

/// The values the playbook is made of, validated exactly as the wizard validates them, and
/// the files rendered from Templates/ by the wizard's own renderers (AgentUnit, WebUIContainer,
/// the swappiness drop-in): what the playbook installs is what `phase0 render` prints.
struct AnsibleValues {
    var answers: [String: String]
    var swapfile: String
    var swapSize: String
    var swapBytes: Int64
    var swappiness: String
    var installMosh: Bool
    var unit: AgentUnitSettings
    var unitText: String
    var dropInText: String
    var webui: WebUISettings
    var dockerArgv: [String]
    var configHash: String
    var networkReason: String
    var hostNetwork: Bool

    /// Answers given, else the table's defaults (AnswerKey; the home-relative ones follow the
    /// user), each checked for the key's syntax as the wizard checks it.
    init(answers given: [String: String], host: Host) throws {
        var answers = given
        for key in AnswerKey.allCases where answers[key.rawValue] == nil { answers[key.rawValue] = key.value(in: given) }
        self.answers = answers
        swapfile = try AnswerKey.swapfile.checked(in: answers)
        swapSize = try AnswerKey.swapSize.checked(in: answers)
        guard case .success(let bytes) = ByteSize.parse(swapSize) else { throw ValidationFailure("swapSize: \(swapSize) is not a size") }
        swapBytes = bytes
        swappiness = try AnswerKey.swappiness.checked(in: answers)
        installMosh = try AnswerKey.installMosh.checked(in: answers) == "yes"
        unit = try AgentUnit.settings(answers: answers, host: host)
        unitText = try AgentUnit.render(unit)
        guard let template = EmbeddedTemplates.text("swappiness.conf") else { throw TemplateError.unknownTemplate("swappiness.conf") }
        dropInText = try TemplateRenderer(name: "swappiness.conf", text: template).render(values: ["swappiness": swappiness])
        let choice = try AnswerKey.webuiNetwork.checked(in: answers)
        let port = try AnswerKey.webuiPort.checked(in: answers)
        let plan = WebUINetwork.plan(choice: choice, ollamaURL: unit.ollamaURL, webuiPort: port, host: host)
        if let refusal = plan.refusal { throw ValidationFailure(refusal) }
        networkReason = plan.reason
        hostNetwork = plan.hostNetwork
        webui = try WebUIContainer.settings(answers: answers, hostNetwork: plan.hostNetwork)
        dockerArgv = try WebUIContainer.argv(webui)
        configHash = try WebUIContainer.configHash(webui)
    }

    /// What /proc/swaps will show for the swapfile: mkswap keeps one 4 KiB page.
    var swapfileKiB: Int64 { swapBytes / 1024 - 4 }
    var dropInName: String { String(SwappinessActions.dropInPath.split(separator: "/").last ?? "99-phase0-swappiness.conf") }
    var swapfileDirectory: String { SwapStep.directory(of: swapfile) }
}
