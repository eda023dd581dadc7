@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

/// `phase0 reference`: the guide's key commands, filled in with the operator's answers.
@Suite struct ReferenceTests {
    @Test func fillsTheGuidesCommandsWithTheDefaults() throws {
        let text = KeyCommands.render(try GuideAnswers([:]), hostName: "spark-2b7c", serveURL: "https://spark-2b7c.tail2b7c.ts.net")
        for line in ["sudo systemctl restart vybn-agent.service", "sudo journalctl -u vybn-agent.service -f",
                     "tmux -L vybn attach -t vybn", "sudo docker stats open-webui --no-stream", "sudo docker start open-webui",
                     "tailscale serve status", "sudo tailscale serve --bg 3000", "vmstat 1 5",
                     "# phone: https://spark-2b7c.tail2b7c.ts.net"] {
            #expect(text.contains(line), "missing: \(line)")
        }
    }

    @Test func followsTheOperatorsAnswers() throws {
        let answers = try GuideAnswers(["unitName": "agent.service", "tmuxSession": "agent", "webuiContainer": "webui",
                                        "webuiPort": "8080", "user": "zoe"])
        let text = KeyCommands.render(answers, hostName: "spark", serveURL: nil)
        #expect(text.contains("sudo systemctl status agent.service"))
        #expect(text.contains("tmux -L agent attach -t agent"))
        #expect(text.contains("docker logs webui"))
        #expect(text.contains("sudo tailscale serve --bg 8080"))
        #expect(text.contains("tmux (as zoe)"))
        #expect(!text.contains("vybn"))
        #expect(!text.contains("open-webui"))
    }

    @Test func aHostileSavedAnswerIsRefused() {
        #expect(throws: ValidationFailure.self) { try GuideAnswers(["webuiContainer": "--privileged"]) }
        #expect(throws: ValidationFailure.self) { try GuideAnswers(["tmuxSession": "vybn; rm -rf /"]) }
        #expect(throws: ValidationFailure.self) { try GuideAnswers(["webuiPort": "3000 --funnel"]) }
    }

    @Test func homePathsFollowTheUser() {
        let given = ["user": "alice"]
        #expect(AnswerKey.venvPython.value(in: given) == "/home/alice/.venv/spark/bin/python")
        #expect(AnswerKey.agentDir.value(in: given) == "/home/alice/Vybn/spark")
    }
}
