@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// `tailscale status --json` as tailscaled writes it (ipnstate.Status), trimmed to what matters
/// plus neighbours that must be ignored.
let statusWithHTTPS = """
    Warning: client version "1.82.0" != tailscaled server version "1.82.5"
    {
      "Version": "1.82.5-t1a2b3c4d5e",
      "TUN": true,
      "BackendState": "Running",
      "HaveNodeKey": true,
      "AuthURL": "",
      "TailscaleIPs": ["100.101.102.103", "fd7a:115c:a1e0::1"],
      "Self": {
        "ID": "n2b7cSpark",
        "HostName": "spark-2b7c",
        "DNSName": "spark-2b7c.tail2b7c.ts.net.",
        "OS": "linux",
        "Online": true,
        "Capabilities": ["https", "https://tailscale.com/cap/file-sharing"],
        "CapMap": {
          "https": null,
          "https://tailscale.com/cap/file-sharing": null,
          "https://tailscale.com/cap/funnel-ports?ports=443,8443,10000": null,
          "tailnet.example/cap/custom": [{"x": 1}]
        }
      },
      "Health": [],
      "MagicDNSSuffix": "tail2b7c.ts.net",
      "CurrentTailnet": {"Name": "zoe@example.com", "MagicDNSSuffix": "tail2b7c.ts.net", "MagicDNSEnabled": true},
      "CertDomains": ["spark-2b7c.tail2b7c.ts.net"],
      "Peer": {"nodekey:abc": {"HostName": "phone", "DNSName": "phone.tail2b7c.ts.net.", "Online": true}}
    }
    """

@Suite struct TailscaleJSONTests {
    @Test func readsHTTPSReadinessAndTheName() throws {
        let status = try TailscaleStatus.parse(statusWithHTTPS)
        #expect(status.connected)
        #expect(status.httpsEnabled)
        #expect(status.dnsName == "spark-2b7c.tail2b7c.ts.net")
        #expect(status.serveURL == "https://spark-2b7c.tail2b7c.ts.net")
    }

    @Test func httpsNeedsTheCapabilityAndACertificateDomain() throws {
        let noCap = statusWithHTTPS.replacing("\"https\": null,", with: "").replacing("[\"https\", ", with: "[")
        #expect(try !TailscaleStatus.parse(noCap).httpsEnabled)
        let noDomain = statusWithHTTPS.replacing("\"CertDomains\": [\"spark-2b7c.tail2b7c.ts.net\"],", with: "\"CertDomains\": null,")
        let parsed = try TailscaleStatus.parse(noDomain)
        #expect(parsed.hasHTTPSCapability && !parsed.httpsEnabled)
        let loggedOut = try TailscaleStatus.parse(#"{"BackendState": "NeedsLogin", "AuthURL": "https://login.tailscale.com/a/x", "Self": {"DNSName": "", "Online": false}}"#)
        #expect(!loggedOut.connected && loggedOut.dnsName == nil && loggedOut.authURL == "https://login.tailscale.com/a/x")
    }

    @Test func readsTheServeConfig() throws {
        let json = """
            {"TCP": {"443": {"HTTPS": true}},
             "Web": {"spark-2b7c.tail2b7c.ts.net:443": {"Handlers": {"/": {"Proxy": "http://127.0.0.1:3000"}}}}}
            """
        let config = try ServeConfig.parse(json)
        #expect(config.proxiesToLocalPort("3000"))
        #expect(!config.proxiesToLocalPort("8080"))
        #expect(config.httpsProxy()?.host == "spark-2b7c.tail2b7c.ts.net")
        #expect(try ServeConfig.parse("{}").isEmpty)
        #expect(try ServeConfig.parse("null\n").isEmpty)
        // HTTP (not HTTPS) on 443, or a path handler, is not what Step 4 sets up.
        #expect(try !ServeConfig.parse(json.replacing("\"HTTPS\"", with: "\"HTTP\"")).proxiesToLocalPort("3000"))
        #expect(try !ServeConfig.parse(json.replacing("\"Proxy\"", with: "\"Path\"")).proxiesToLocalPort("3000"))
    }

    @Test func theSimulatedServeKeepsThePitfall() throws {
        var machine = SimulatedSpark()
        machine.tailscale.httpsEnabled = false
        let serve = machine.execute(["tailscale", "serve", "--bg", "3000"], as: "root", input: nil)
        #expect(serve.exitStatus == 0 && serve.output.contains("Serve is not enabled"))
        #expect(machine.tailscale.serveProxy == nil)
        #expect(machine.execute(["tailscale", "serve", "--bg", "3000"], as: "vybnz69", input: nil).exitStatus == 1)
        #expect(machine.execute(["tailscale", "set", "--operator=vybnz69"], as: "root", input: nil).succeeded)
        machine.tailscale.httpsEnabled = true
        #expect(machine.execute(["tailscale", "serve", "--bg", "3000"], as: "vybnz69", input: nil).succeeded)
        let status = try ServeConfig.parse(machine.execute(["tailscale", "serve", "status", "--json"], as: "vybnz69", input: nil).output)
        #expect(status.proxiesToLocalPort("3000"))
        #expect(try TailscaleStatus.parse(machine.execute(["tailscale", "status", "--json"], as: "vybnz69", input: nil).output).httpsEnabled)
    }
}

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
        #expect(run.output.contains("open https://spark-2b7c.tail2b7c.ts.net on your phone"))
        #expect(!run.output.contains("ts.net.")) // the trailing dot of DNSName is gone
    }

    @Test func runsServeAsRootUnderATimeout() throws {
        let host = SparkWithStandIns(sparkAfterStep3())
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
        #expect(run.output.contains("https://login.tailscale.com/admin/dns"))
        #expect(run.output.contains("(Practice: press Enter and the simulated operator enables HTTPS"))
        #expect(run.output.contains("(practice) You enabled HTTPS"))
        #expect(run.progress.step(4)?.action("https-enabled")?.status == .done)
        #expect(host.machine.tailscale.serveProxy == "http://127.0.0.1:3000")
    }

    @Test func theOperatorTaskReChecksUntilHTTPSIsReallyOn() {
        var machine = sparkAfterStep3()
        machine.tailscale.httpsEnabled = false
        let host = SparkWithStandIns(machine)
        let reader = OperatorScript([("", nil), ("", { host.machine.tailscale.httpsEnabled = true }), ("y", nil)])
        let run = runSteps([TailscaleServeStep.make()], on: host, reader: reader)
        #expect(run.outcome == .complete)
        #expect(run.output.contains("Not yet: not enabled: the node has no \"https\" capability"))
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
        #expect(run.output.contains("now proxies to http://127.0.0.1:8080; this replaces it"))
        #expect(host.machine.tailscale.serveProxy == "http://127.0.0.1:3000")
    }

    @Test func anExistingServeIsAlreadyDone() {
        var machine = sparkAfterStep3()
        machine.tailscale.serveProxy = "http://127.0.0.1:3000"
        let host = PracticeHost(machine: machine)
        let run = runSteps([TailscaleServeStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history.isEmpty)
        #expect(run.output.contains("[done] already done"))
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
        #expect(run.output.contains("sudo tailscale up"))
        #expect(run.output.contains("Login link reported by tailscaled: https://login.tailscale.com/a/"))
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
