@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

/// A tailscale whose serve prints the enable link and exits 0 without serving, although
/// status reports HTTPS (the certificate not provisioned yet, say).
final class ServeThatDoesNotServe: PracticeWrapper {
    let inner: PracticeHost
    init(_ machine: SimulatedSpark) { inner = PracticeHost(machine: machine) }
    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        if command.argv.starts(with: ["tailscale", "serve", "--bg"]) {
            return CommandResult(exitStatus: 0, output: "Serve is not enabled on your tailnet.\nTo enable, visit:\n\n  https://login.tailscale.com/f/serve?node=x\n")
        }
        return try inner.run(command, onOutput: onOutput)
    }
}

@Suite struct Step4ServeTests {
    @Test func servesAndPrintsThePhoneURL() {
        let host = PracticeHost(machine: sparkAfterStep3())
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history == ["sudo tailscale serve --bg 3000"])
        #expect(host.machine.tailscale.serveProxy == "http://127.0.0.1:3000")
        #expect(run.text.contains("open https://spark-2b7c.tail2b7c.ts.net on your phone"))
        #expect(!run.text.contains("ts.net.")) // the trailing dot of DNSName is gone
    }

    @Test func runsServeAsRootUnderATimeout() throws {
        let host = SparkWithHooks(sparkAfterStep3())
        _ = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        let serve = try #require(host.ran.first { $0.argv.starts(with: ["tailscale", "serve", "--bg"]) })
        #expect(serve.argv == ["tailscale", "serve", "--bg", "3000"])
        #expect(serve.runAs == .root && serve.effect == .change)
        #expect(serve.timeout == TailscaleServeStep.serveTimeout)
    }

    @Test func httpsOffBecomesAnOperatorTaskThatPracticeCanPerform() {
        var machine = sparkAfterStep3()
        machine.tailscale.httpsEnabled = false
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, lines: ["", "y"])
        #expect(run.outcome == .complete)
        #expect(run.text.contains("https://login.tailscale.com/admin/dns"))
        #expect(run.text.contains("(Practice: press Enter and the simulated operator enables HTTPS"))
        #expect(run.text.contains("(practice) You enabled HTTPS"))
        #expect(run.progress.step(4)?.action("https-enabled")?.status == .done)
        #expect(host.machine.tailscale.serveProxy == "http://127.0.0.1:3000")
    }

    @Test func theOperatorTaskReChecksUntilHTTPSIsReallyOn() {
        var machine = sparkAfterStep3()
        machine.tailscale.httpsEnabled = false
        let host = SparkWithHooks(machine)
        let reader = OperatorScript([("", nil), ("", { host.machine.tailscale.httpsEnabled = true }), ("y", nil)])
        let run = runSteps([TailscaleServeStep.make()], on: host, reader: reader)
        #expect(run.outcome == .complete)
        #expect(run.text.contains("Not yet: not enabled: the node has no \"https\" capability"))
        #expect(reader.prompts.filter { $0.contains("press Enter to re-check") }.count == 2)
    }

    @Test func assumeYesDoesNotPretendHTTPSIsOn() {
        var machine = sparkAfterStep3()
        machine.tailscale.httpsEnabled = false
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("https://login.tailscale.com/admin/dns"))
        #expect(host.machine.history.isEmpty)
        #expect(!host.machine.tailscale.httpsEnabled)
    }

    @Test func serveExitingZeroWithoutServingIsAFailure() {
        let host = ServeThatDoesNotServe(sparkAfterStep3())
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("the check still fails"))
        #expect(reason.contains("no HTTPS 443 proxy"))
        #expect(run.progress.step(4)?.action("serve")?.status == .failed)
        #expect(run.progress.step(4)?.status == .failed)
    }

    @Test func replacesAServeThatProxiesElsewhereAndSaysSo() {
        var machine = sparkAfterStep3()
        machine.tailscale.serveProxy = "http://127.0.0.1:8080"
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(run.text.contains("now proxies to http://127.0.0.1:8080; this replaces it"))
        #expect(host.machine.tailscale.serveProxy == "http://127.0.0.1:3000")
    }

    @Test func anExistingServeIsAlreadyDone() {
        var machine = sparkAfterStep3()
        machine.tailscale.serveProxy = "http://127.0.0.1:3000"
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history.isEmpty)
        #expect(run.text.contains("[done] already done"))
    }

    @Test func usesTheWebUIPortAnswer() {
        var machine = sparkAfterStep3()
        machine.docker.containers[0].argv = ["docker", "run", "-p", "127.0.0.1:8081:8080", "ghcr.io/open-webui/open-webui:main"]
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, answers: ["webuiPort": "8081"], assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history == ["sudo tailscale serve --bg 8081"])
    }

    @Test func aLoggedOutSparkIsConnectedByTheOperator() {
        var machine = sparkAfterStep3()
        machine.tailscale.connected = false
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, lines: ["", "y"])
        #expect(run.outcome == .complete)
        #expect(run.text.contains("sudo tailscale up"))
        #expect(run.text.contains("Login link reported by tailscaled: https://login.tailscale.com/a/"))
    }

    @Test func refusesWithoutTailscale() {
        var machine = sparkAfterStep3()
        machine.programs.removeAll { $0 == "tailscale" }
        let run = runSteps([TailscaleServeStep.make()], on: PracticeHost(machine: machine), assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a refusal, got \(run.outcome)"); return }
        #expect(reason.contains("tailscale is not installed"))
    }

    /// Open WebUI does not answer: nobody can tell whether it has an owner, so nothing is
    /// exposed, and the run says why.
    @Test func aStoppedOpenWebUIIsNotExposed() {
        var machine = sparkAfterStep3()
        machine.docker.containers[0].running = false
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("cannot tell whether an account exists"), "\(reason)")
        #expect(!host.machine.history.contains { $0.contains("tailscale serve") })
    }
}
