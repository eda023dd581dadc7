@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Phase0TestKit
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// The one table of answers (AnswerKey): every question's default comes from it, it names
/// exactly what the steps ask, and every reader of the answers uses the answers it is given.
@Suite struct AnswerKeyTests {
    /// A context on the guide's simulated Spark with `answers` given so far.
    func context(_ answers: [String: String], machine: SimulatedSpark = SimulatedSpark()) -> StepContext {
        stepContext(PracticeHost(machine: machine), answers: answers)
    }

    /// Answers given before a question, none of them the guide's: what a derived default follows.
    static let earlier = ["user": "zoe", "home": "/srv/zoe", "repoDir": "/srv/zoe/code", "swapfile": "/data/swapfile",
                          "ollamaURL": "http://127.0.0.1:11999"]

    @Test func everyQuestionsDefaultIsTheTables() throws {
        for step in Procedure.steps() {
            for question in step.questions {
                let key = try #require(AnswerKey(rawValue: question.key), "\(question.key) is not in the table")
                #expect(question.defaultValue(context([:])) == key.guideDefault, "Step \(step.number): \(key)")
                // Asked after other answers: derived from them as the table says (home from the user...).
                let given = Self.earlier.filter { $0.key != question.key }
                #expect(question.defaultValue(context(given)) == key.value(in: given), "Step \(step.number): \(key) after \(given)")
            }
        }
    }

    @Test func theHomeQuestionPrefersTheHomeTheMachineKnows() throws {
        var machine = SimulatedSpark()
        machine.users.append(UserInfo(name: "zoe", uid: 1001, home: "/srv/zoe"))
        let home = AgentServiceQuestions.home
        #expect(home.defaultValue(context(["user": "zoe"], machine: machine)) == "/srv/zoe")
        #expect(home.defaultValue(context(["user": "nobody-here"])) == "/home/nobody-here")
        #expect(AnswerKey.home.value(in: ["user": "root"]) == "/root")
    }

    @Test func theTableNamesExactlyWhatTheStepsAsk() {
        var asked: [AnswerKey: AnswerKey.Asker] = [:]
        for step in Procedure.steps() {
            for question in step.questions {
                guard let key = AnswerKey(rawValue: question.key) else { Issue.record("\(question.key)"); continue }
                guard case .question(let steps) = key.entry.askedBy else { Issue.record("\(key) is asked by Step \(step.number)"); continue }
                #expect(steps.contains(step.number), "\(key) is asked by Step \(step.number)")
                asked[key] = key.entry.askedBy
            }
            if let optional = step.optional {
                #expect(AnswerKey(rawValue: optional.answerKey)?.entry.askedBy == .optionalStep(step.number))
                asked[AnswerKey(rawValue: optional.answerKey)!] = .optionalStep(step.number)
            }
            for action in step.actions {
                guard case .observation(_, let name) = action.kind else { continue }
                #expect(AnswerKey(rawValue: name)?.entry.askedBy == .observation(step: step.number), "\(name)")
                asked[AnswerKey(rawValue: name)!] = .observation(step: step.number)
            }
        }
        // What the table says a step asks, it asks; decisions and check-only values are no question.
        for key in AnswerKey.allCases {
            switch key.entry.askedBy {
            case .question, .optionalStep, .observation: #expect(asked[key] != nil, "the table says \(key) is asked, no step asks it")
            case .decision, .checksOnly: #expect(asked[key] == nil, "\(key)")
            }
        }
        #expect(Procedure.answerKeys() == AnswerKey.names)
        #expect(OperatorAccount.key == AnswerKey.user.rawValue && OperatorAccount.guideUser == AnswerKey.user.guideDefault)
    }

    /// None of the guide's values: each consumer must show these and none of the defaults.
    static let mine = ["tmuxSession": "agent", "unitName": "agent.service", "webuiContainer": "webui", "webuiPort": "3999",
                       "ollamaURL": "http://127.0.0.1:11999", "ollamaUnit": "llm.service", "model": "other:latest",
                       "webuiVolume": "webui-data"]

    @Test func answersGivenReachReferenceTroubleshootPreflightAndRender() throws {
        let answers = try GuideAnswers(Self.mine)
        let reference = KeyCommands.render(answers, hostName: "spark", serveURL: nil)
        for wanted in ["tmux -L agent attach -t agent", "sudo systemctl start agent.service", "docker logs webui", "sudo tailscale serve --bg 3999"] {
            #expect(reference.contains(wanted), "reference: \(wanted)")
        }
        for guide in ["3000", "vybn-agent", "open-webui", "-t vybn"] { #expect(!reference.contains(guide), "reference: \(guide)") }

        let output = CapturedOutput()
        _ = Troubleshooting.report([], host: PracticeHost(machine: SimulatedSpark()), answers: answers, output: output)
        for wanted in ["127.0.0.1:3999", "agent.service", "llm.service", "webui", "tmux session agent"] {
            #expect(output.text.contains(wanted), "troubleshoot: \(wanted)")
        }
        for guide in [":3000", "vybn-agent", "open-webui", "ollama.service", "session vybn"] { #expect(!output.text.contains(guide), "troubleshoot: \(guide)") }

        let preflight = PreflightChecks.run(host: PracticeHost(machine: SimulatedSpark()), answers: Self.mine).map(\.name)
        for wanted in ["llm.service active", "Ollama API at http://127.0.0.1:11999", "model other:latest present"] {
            #expect(preflight.contains(wanted), "preflight: \(wanted) in \(preflight)")
        }

        let scratch = try TempDir("answer-keys")
        defer { scratch.remove() }
        let directory = URL(fileURLWithPath: scratch.path)
        let answersPath = directory.path + "/answers.json"
        try JSONSerialization.data(withJSONObject: Self.mine).write(to: URL(fileURLWithPath: answersPath))
        var config = WizardConfig()
        config.hosts = PracticeHostFactory()
        config.statePath = directory.path + "/state.json"
        let docker = CapturedOutput(), unit = CapturedOutput(), notes = CapturedOutput()
        #expect(RenderCommand.run(.docker, config: config, answersPath: answersPath, output: docker, notes: notes) == .complete, "\(notes.text)")
        #expect(RenderCommand.run(.unit, config: config, answersPath: answersPath, output: unit, notes: notes) == .complete, "\(notes.text)")
        for wanted in ["PORT=3999", "11999", "--name=webui", "webui-data:"] { #expect(docker.text.contains(wanted), "render docker: \(wanted)") }
        for wanted in ["-s agent", "llm.service", "http://127.0.0.1:11999/api/tags"] { #expect(unit.text.contains(wanted), "render unit: \(wanted)") }
        for guide in ["3000", "11434", "--name=open-webui", "open-webui:/app"] { #expect(!docker.text.contains(guide), "render docker: \(guide)") }

        #expect(try TailscaleServeStep.port(context(Self.mine)) == "3999")
    }
}

/// A default written a second time, as a literal, would go on holding the old value when the
/// table's changes. Steps/ and the executable name each default only in the table.
@Suite struct AnswerDefaultsAreWrittenOnceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Literals that equal a default but mean something else: the unit's template is named after
    /// the guide's unit file.
    static let otherMeanings: Set<String> = ["vybn-agent.service"]

    @Test func noSourceRepeatsATableDefault() throws {
        // The choices of a question ("auto") and short numbers ("10") are not distinctive enough to look for.
        let defaults = Set(AnswerKey.allCases.compactMap(\.guideDefault)).filter { $0.count >= 4 && $0 != "auto" }
        #expect(defaults.contains("3000") && defaults.contains("/home/vybnz69/.venv/spark/bin/python"))
        var files: [URL] = []
        for folder in ["Steps", "Sources/phase0", "Sources/Phase0Core"] {
            let walker = FileManager.default.enumerator(at: Self.root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = walker?.nextObject() as? URL {
                if url.pathExtension == "swift" { files.append(url) }
            }
        }
        #expect(files.count > 20, "found \(files.count) sources under \(Self.root.path)")
        for file in files where file.lastPathComponent != "AnswerKey.swift" {
            // Comments may quote the guide's values; code may not.
            let text = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            for value in defaults.subtracting(Self.otherMeanings) where text.contains("\"\(value)\"") {
                Issue.record("\(file.lastPathComponent) writes the default \"\(value)\" again; read it from AnswerKey")
            }
        }
    }
}
