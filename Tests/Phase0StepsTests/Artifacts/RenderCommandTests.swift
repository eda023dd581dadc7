@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

/// `phase0 render`: the unit or the docker command for the answers given, saved, or the defaults.
@Suite struct RenderCommandTests {
    func render(_ artifact: RenderCommand.Artifact, answersFile: String? = nil, state: String? = nil) throws -> (Int32, String, String) {
        let directory = try TempDir("render")
        defer { directory.remove() }
        var config = WizardConfig()
        config.hosts = PracticeHostFactory()
        config.statePath = state ?? directory.path + "/state.json"
        var answersPath: String?
        if let answersFile {
            answersPath = directory.path + "/answers.json"
            try answersFile.write(toFile: answersPath!, atomically: true, encoding: .utf8)
        }
        let output = CapturedOutput(), notes = CapturedOutput()
        let status = RenderCommand.run(artifact, config: config, answersPath: answersPath, output: output, notes: notes).exitCode
        return (status, output.text, notes.text)
    }

    @Test func renderPrintsTheUnitForDefaultsAndForAnswers() throws {
        let (status, text, _) = try render(.unit)
        #expect(status == 0)
        #expect(text == (try AgentUnit.render(AgentUnitTests.guide)))
        let (status2, text2, _) = try render(.unit, answersFile: #"{"tmuxSession": "agent", "user": "zoe"}"#)
        #expect(status2 == 0)
        #expect(text2.contains("ExecStart=/usr/bin/tmux -L agent new-session -d -s agent ") && text2.contains("User=zoe"))
    }

    @Test func renderUsesTheSavedAnswers() throws {
        let directory = try TempDir("render")
        defer { directory.remove() }
        var progress = Phase0Core.Progress(mode: .practice, stepCount: 6, machine: SimulatedSpark(), now: "2026-01-01T00:00:00Z")
        progress.answers = ["webuiPort": "3999", "webuiNetwork": "bridge"]
        let state = directory.path + "/state.json"
        try StateStore(path: state, snapshotType: SimulatedSpark.self).save(progress)
        let (status, text, notes) = try render(.docker, state: state)
        #expect(status == 0, "\(notes)")
        #expect(text.contains("--publish=127.0.0.1:3999:8080 \\\n"))
        #expect(notes.contains("warning:") && notes.contains("connection refused"))   // a loopback Ollama, said on stderr
    }

    @Test func renderRefusesUnusableAnswersWithExit65() throws {
        for file in ["{not json", #"{"swapSize": 128}"#, #"{"noSuchKey": "x"}"#, #"{"webuiPort": "70000"}"#,
                     #"{"agentDir": "/home/vybnz69/spark\nExecStartPre=/bin/true"}"#, #"{"webuiNetwork": "macvlan"}"#] {
            let artifact: RenderCommand.Artifact = file.contains("agentDir") ? .unit : .docker
            let (status, text, notes) = try render(artifact, answersFile: file)
            #expect(status == 65, "\(file): \(notes)")
            #expect(text.isEmpty)
            #expect(notes.hasPrefix("phase0: "))
        }
    }
}
