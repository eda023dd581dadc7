@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// `phase0 export answers` and `phase0 export ansible`, in this process.
@Suite struct ExportTests {
    @Test func exportedAnswersLeaveOutWhatIsAskedOnEveryMachineAndLoadAsAnAnswersFile() throws {
        let scratch = try TempDir("export")
        defer { scratch.remove() }
        let dir = scratch.path
        var progress = Phase0Core.Progress(mode: .practice, stepCount: 6, machine: nil, now: "T0")
        progress.answers = ["swapSize": "96G", "tmuxSession": "agent", "unplugLidClosed": "yes",
                            "replaceContainer": "yes", "webuiPort": "3100", "installMosh": "no"]
        let exported = AnswersExport.answers(of: progress)
        #expect(exported == ["swapSize": "96G", "tmuxSession": "agent", "webuiPort": "3100", "installMosh": "no"])
        let path = dir + "/answers.json"
        try AnswersExport.writeNew(path, try AnswersExport.json(exported))
        #expect(try loadAnswersFile(path, knownKeys: Procedure.answerKeys()) == exported)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("#") && !text.contains("//"), "comment-free JSON")
        #expect(throws: AnswersExport.WriteError.self) { try AnswersExport.writeNew(path, "{}") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "an existing file is never overwritten")
    }

    static func values(_ answers: [String: String] = [:], machine: SimulatedSpark = SimulatedSpark()) throws -> AnsibleValues {
        try AnsibleValues(answers: answers, host: PracticeHost(machine: machine))
    }

    @Test func thePlaybookIsBuiltFromTheWizardsOwnRenderings() throws {
        let answers = ["swapSize": "96G", "swappiness": "5", "tmuxSession": "agent", "webuiPort": "3100"]
        let host = PracticeHost(machine: SimulatedSpark())
        let v = try AnsibleValues(answers: answers, host: host)
        let unit = try AgentUnit.render(try AgentUnit.settings(answers: answers, host: host))
        #expect(v.unitText == unit)
        #expect(v.dropInText.hasSuffix("vm.swappiness = 5\n"))
        let playbook = AnsiblePlaybook.text(v)
        for element in v.dockerArgv { #expect(playbook.contains(YAML.quoted(element)), "missing argv element \(element)") }
        #expect(v.dockerArgv.contains("--env=PORT=3100") && v.dockerArgv.contains("--network=host"))
        #expect(playbook.contains("phase0_swap_size: \"96G\"") && playbook.contains("phase0_swap_kib: \(96 * 1024 * 1024 - 4)"))
        #expect(playbook.contains("validate: findmnt --verify --tab-file %s"))
        let mentions = playbook.split(separator: "\n").filter { $0.contains("swapoff") }
        #expect(!mentions.isEmpty && mentions.allSatisfy { $0.contains("- name:") || $0.hasPrefix("#") },
                "the playbook never runs swapoff: \(mentions)")
        #expect(playbook.contains("the 64G rule, before the swap tasks") && playbook.contains("the 64G rule, after the swap tasks"))
    }

    @Test func noValueCanBecomeJinjaOrYAML() {
        #expect(YAML.text("a{{ lookup('pipe','id') }}b").scalar == "!unsafe \"a{{ lookup('pipe','id') }}b\"")
        #expect(YAML.text("yes").scalar == "\"yes\"")
        #expect(YAML.text("x\"\n: y").scalar == "\"x\\\"\\n: y\"")
        #expect(YAML.text("plain").scalar == "\"plain\"")
    }

    @Test func anExportRefusesWhatTheWizardRefuses() throws {
        #expect(throws: ValidationFailure.self) { try Self.values(["swapSize": "64GB"]) }
        #expect(throws: ValidationFailure.self) { try Self.values(["webuiNetwork": "bridge"]) }
    }
}
