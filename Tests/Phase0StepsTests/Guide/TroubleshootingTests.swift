@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

@Suite struct TroubleshootTests {
    let defaults = try! GuideAnswers([:])

    func findings(_ flow: Troubleshooting.Flow, _ machine: SimulatedSpark, answers: [String: String] = [:]) throws -> [Troubleshooting.Finding] {
        Troubleshooting.run(flow, host: SparkWithHooks(machine), answers: try GuideAnswers(answers))
    }

    func problems(_ list: [Troubleshooting.Finding]) -> [String] { list.filter { $0.kind == .problem }.map(\.title) }

    @Test func aHealthySparkHasNoProblem() throws {
        var machine = sparkAfterStep3()
        machine.ollama.listen = "0.0.0.0:11434"
        machine.tailscale.serveProxy = "http://127.0.0.1:3000"
        let output = CapturedOutput()
        let outcome = Troubleshooting.report([], host: SparkWithHooks(machine), answers: defaults, output: output)
        #expect(outcome == .complete, "\(output.text)")
        #expect(output.text.contains("No problem found."))
        for flow in Troubleshooting.Flow.allCases { #expect(output.text.contains("phase0 troubleshoot \(flow.rawValue)")) }
    }

    @Test func aTmuxSessionStartedByHandIsNamedWithTheFix() throws {
        var machine = sparkAfterStep3()
        machine.services["vybn-agent.service"]?.active = false
        machine.tmuxSessions = [SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: nil, socket: "vybn")]
        let found = try findings(.service, machine)
        let finding = try #require(found.first { $0.title.contains("already exists outside the unit") })
        #expect(finding.kind == .problem)
        #expect(finding.todo?.contains("tmux -L vybn kill-session -t vybn && sudo systemctl restart vybn-agent.service") == true)
        #expect(finding.todo?.contains("from a terminal that is not inside it") == true)
        #expect(problems(found).contains("vybn-agent.service is not running"))
    }

    @Test func serviceFlowFindsAMissingVenvAndAStoppedOllama() throws {
        var machine = sparkAfterStep3()
        machine.files["/home/vybnz69/.venv/spark/bin/python"] = nil
        machine.services["ollama.service"]?.active = false
        let found = problems(try findings(.service, machine))
        #expect(found.contains("Python venv not found"))
        #expect(found.contains("Ollama not ready: ollama.service is inactive"))
        #expect(try problems(findings(.service, sparkAfterStep3())).isEmpty)
    }

    @Test func anUninstalledUnitSaysWhichStepInstallsIt() throws {
        let found = try findings(.service, sparkAfterStep0())
        let finding = try #require(found.first { $0.title == "vybn-agent.service is not installed" })
        #expect(finding.todo?.contains("Step 2") == true)
    }

    @Test func noSwapIsAProblem() throws {
        var machine = sparkAfterStep3()
        machine.swaps = []
        let found = try findings(.oom, machine)
        #expect(problems(found).contains("No swap is active"))
        #expect(try problems(findings(.oom, SimulatedSpark())).contains("Swap is below 64G"))
        #expect(try problems(findings(.oom, sparkAfterStep3())).isEmpty)
    }

    @Test func oomKillsInTheKernelLogAreShown() throws {
        var machine = sparkAfterStep3()
        machine.swaps = Array(machine.swaps.prefix(1))   // only the 16G /swap.img: the guide's warning plays out
        let found = try findings(.oom, machine)
        let kills = try #require(found.first { $0.title == "The OOM killer struck" })
        #expect(kills.seen.contains("Killed process 2211 (ollama)"))
        #expect(found.contains { $0.title.contains("docker stats") && $0.seen.contains("MiB /") })
        #expect(found.contains { $0.title == "open-webui is memory-capped" })
    }

    @Test func openWebUICannotReachALoopbackOnlyOllama() throws {
        let found = try findings(.webui, sparkAfterStep3())   // Ollama on 127.0.0.1, the guide's host-gateway container
        let finding = try #require(found.first { $0.title == "Open WebUI cannot reach Ollama: Ollama listens on loopback only" })
        #expect(finding.seen.contains("http://host.docker.internal:11434/api/tags"))
        #expect(finding.seen.contains("Ollama listens on 127.0.0.1 only"))
        #expect(finding.todo?.contains("--network=host -e HOST=127.0.0.1 -e PORT=3000 -e OLLAMA_BASE_URL=http://127.0.0.1:11434") == true)
        #expect(finding.todo?.contains("expose it") == true)
    }

    @Test func theHostNetworkVariantReachesOllamaOnLoopback() throws {
        var machine = sparkAfterStep3()
        machine.docker.containers[0].argv = ["docker", "run", "-d", "--network=host", "-e", "HOST=127.0.0.1", "-e", "PORT=3000",
                                             "-e", "OLLAMA_BASE_URL=http://127.0.0.1:11434", "--name", "open-webui",
                                             "ghcr.io/open-webui/open-webui:main"]
        let found = try findings(.webui, machine)
        #expect(problems(found).isEmpty, "\(found)")
        #expect(found.contains { $0.title == "Ollama is reachable from the container" && $0.seen.contains("network mode host") })
    }

    @Test func aStoppedOrMissingContainerIsNamed() throws {
        var machine = sparkAfterStep3()
        machine.docker.containers[0].running = false
        #expect(try problems(findings(.webui, machine)).contains("open-webui exists but is stopped"))
        #expect(try problems(findings(.webui, sparkAfterStep0())).contains("No container open-webui"))
    }

    @Test func serveNotEnabledIsAProblem() throws {
        let found = try findings(.tailscale, sparkAfterStep3())
        let finding = try #require(found.first { $0.title == "Serve is not enabled: nothing is served" })
        #expect(finding.todo?.contains("sudo tailscale serve --bg 3000") == true)
        var machine = sparkAfterStep3()
        machine.tailscale.httpsEnabled = false
        let https = try #require(try findings(.tailscale, machine).first { $0.title == "HTTPS is not enabled for the tailnet" })
        #expect(https.todo?.contains("https://login.tailscale.com/admin/dns") == true)
        machine.tailscale.connected = false
        #expect(try problems(findings(.tailscale, machine)).contains("Not connected to the tailnet"))
    }

    @Test func renderingShowsWhatWasSeenAndWhatToDo() throws {
        var machine = sparkAfterStep3()
        machine.swaps = []
        let text = Troubleshooting.render(.oom, try findings(.oom, machine))
        #expect(text.contains("  [PROBLEM] No swap is active\n"))
        #expect(text.contains("seen: /proc/swaps lists no swap area"))
        #expect(text.contains("do:   Run phase0: Step 0"))
        #expect(text.contains("2 problems found."))   // and the OOM kill the missing swap led to
        let output = CapturedOutput()
        #expect(Troubleshooting.report([.oom], host: SparkWithHooks(machine), answers: defaults, output: output).exitCode == ExitStatus.failed)
    }

    @Test func theFlowsOnlyRead() throws {
        let host = SparkWithHooks(sparkAfterStep3())
        _ = Troubleshooting.report([], host: host, answers: defaults, output: CapturedOutput())
        #expect(host.ran.allSatisfy { $0.effect == .readOnly })
        #expect(host.machine == sparkAfterStep3())
    }
}
