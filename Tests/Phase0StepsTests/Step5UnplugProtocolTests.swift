@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

@Suite struct Step5UnplugTests {
    static let allYes = ["unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"]

    func spark() -> SimulatedSpark {
        var machine = sparkAfterStep3()
        machine.tailscale.serveProxy = "http://127.0.0.1:3000"
        return machine
    }

    @Test func allFivePassAndEachResultIsRecorded() {
        let host = SparkWithHooks(spark())
        // Three observations, then the confirmation of docker stop/start.
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y", "yes", "y", "y"])
        #expect(run.outcome == .complete)
        #expect(host.machine.history == ["sudo docker stop open-webui", "sudo docker start open-webui"])
        let step = run.progress.step(5)
        #expect(step?.status == .done)
        for id in ["unplug-1-lid", "unplug-2-phone", "unplug-3-tmux"] {
            #expect(step?.action(id)?.status == .done)
            #expect(step?.action(id)?.note == "operator observed: yes")
        }
        #expect(run.progress.answers["unplugPhoneChat"] == "yes")
        #expect(step?.action("unplug-4-docker")?.status == .done)
        #expect(step?.action("unplug-4-docker")?.note?.contains("survived") == true)
        #expect(step?.action("unplug-5-detached")?.status == .alreadyDone)
        #expect(run.text.contains("open https://spark-2b7c.tail2b7c.ts.net and chat"))
        #expect(run.text.contains("Phase 0 complete: all steps done and verified"))
    }

    @Test func assumeYesNeverAnswersAnObservation() {
        let host = SparkWithHooks(spark())
        let run = runSteps([UnplugProtocolStep.make()], on: host, assumeYes: true)
        guard case .stopped = run.outcome else { Issue.record("expected a stop, got \(run.outcome)"); return }
        #expect(run.progress.answers["unplugLidClosed"] == nil)
        #expect(host.machine.history.isEmpty)
        #expect(!run.text.contains("Phase 0 complete: all steps"))
    }

    @Test func anAnswersFileMayGiveTheObservations() {
        let host = SparkWithHooks(spark())
        let run = runSteps([UnplugProtocolStep.make()], on: host, answersFile: Self.allYes, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(run.text.contains("(from the answers file)"))
    }

    @Test func aFailedObservationPointsToItsTroubleshootingFlow() {
        let host = SparkWithHooks(spark())
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y", "n"])
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("phase0 troubleshoot tailscale"))
        #expect(run.progress.answers["unplugPhoneChat"] == "no")
        #expect(run.progress.step(5)?.action("unplug-2-phone")?.status == .failed)
        #expect(run.progress.step(5)?.status == .failed)
        #expect(host.machine.history.isEmpty)
    }

    @Test func anAgentKilledWithDockerFailsCheck4AndDockerComesBack() {
        let host = SparkWithHooks(spark())
        host.onDockerStop = { $0.tmuxSessions.removeAll() }
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], answers: Self.allYes)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("is gone after docker stop/start"))
        #expect(reason.contains("phase0 troubleshoot service"))
        #expect(host.machine.docker.containers[0].running)
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.status == .failed)
    }

    @Test func anAgentRestartedDuringTheStopIsCaught() {
        let host = SparkWithHooks(spark())
        host.sessionCreated["vybn"] = 1_714_550_000
        host.onDockerStop = { [host] _ in host.sessionCreated["vybn"] = 1_714_550_600 }
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], answers: Self.allYes)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("was re-created (created at 1714550600, was 1714550000)"))
    }

    @Test func aContainerThatDoesNotComeBackFailsCheck4() {
        let host = SparkWithHooks(spark())
        host.onDockerStart = { $0.docker.containers[0].running = false }
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], answers: Self.allYes)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a failure, got \(run.outcome)"); return }
        #expect(reason.contains("did not come back"))
        #expect(reason.contains("phase0 troubleshoot webui"))
    }

    @Test func aFailedCheck4IsRunAgainNextTime() {
        let host = SparkWithHooks(spark())
        host.onDockerStop = { $0.tmuxSessions.removeAll() }
        let first = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], answers: Self.allYes)
        #expect(first.progress.step(5)?.status == .failed)
        // The operator fixed the agent; the test must really run again, not pass on the record.
        host.onDockerStop = nil
        host.machine.tmuxSessions = [SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: "vybn-agent.service", socket: "vybn")]
        let second = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], progress: first.progress)
        #expect(second.outcome == .complete)
        #expect(host.machine.history.filter { $0 == "sudo docker stop open-webui" }.count == 2)
    }

    @Test func anAttachedTmuxIsDetachedByTheOperator() {
        var machine = spark()
        machine.tmuxSessions[0].attachedClients = 1
        let host = SparkWithHooks(machine)
        let reader = OperatorScript([("y", nil), ("", { host.machine.tmuxSessions[0].attachedClients = 0 })])
        let run = runSteps([UnplugProtocolStep.make()], on: host, reader: reader, answers: Self.allYes)
        #expect(run.outcome == .complete)
        #expect(run.text.contains("press Ctrl-B, then D"))
        #expect(run.progress.step(5)?.action("unplug-5-detached")?.status == .done)
    }

    @Test func withoutTheAgentsSessionCheck4RefusesBeforeStoppingAnything() {
        var machine = spark()
        machine.tmuxSessions = []
        let host = SparkWithHooks(machine)
        let run = runSteps([UnplugProtocolStep.make()], on: host, answers: Self.allYes, assumeYes: true)
        guard case .failed(let reason) = run.outcome else { Issue.record("expected a refusal, got \(run.outcome)"); return }
        #expect(reason.contains("phase0 troubleshoot service"))
        #expect(host.machine.history.isEmpty)
    }

    @Test func aDryRunListsTheChecksBeforeStepsTwoAndThreeRan() {
        let host = SparkWithHooks(sparkAfterStep0())   // no agent session, no container yet
        let run = runSteps([UnplugProtocolStep.make()], on: host, assumeYes: true, dryRun: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(run.text.contains("$ sudo docker stop open-webui"))
        #expect(run.text.contains("(dry run: not run)"))
        #expect(host.machine.history.isEmpty)
    }

    @Test func resumesACutBetweenStopAndStart() {
        let host = SparkWithHooks(spark())
        let created = Probe.tmuxSessionFormat(host, user: "vybnz69", socket: "vybn", session: "vybn", "#{session_created}").value ?? "?"
        host.machine.docker.containers[0].running = false   // cut after docker stop
        var progress = Progress(mode: .practice, stepCount: 6, machine: nil, now: "t0")
        progress.answers = Self.allYes
        progress.updateStep(5) {
            $0.status = .inProgress
            $0.updateAction("unplug-4-baseline") { $0.status = .alreadyDone; $0.note = "tmux session vybn of vybnz69 (created at \(created)), container open-webui running" }
            $0.updateAction("unplug-4-docker") { $0.status = .inFlight; $0.attempts = 1 }
        }
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], progress: progress)
        #expect(run.outcome == .complete)
        #expect(run.text.contains("Resuming: \"Unplug check 4"))
        #expect(host.machine.history == ["sudo docker stop open-webui", "sudo docker start open-webui"])
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.attempts == 2)
    }

    /// Step 5 cut with check 4 in flight, its baseline taken (with the container's start time).
    func cutWithCheck4InFlight(_ host: SparkWithHooks) -> Progress {
        let created = Probe.tmuxSessionFormat(host, user: "vybnz69", socket: "vybn", session: "vybn", "#{session_created}").value ?? "?"
        let started = Probe.dockerInspect(host, "open-webui", "{{.State.StartedAt}}").value ?? "?"
        var progress = Progress(mode: .practice, stepCount: 6, machine: nil, now: "t0")
        progress.answers = Self.allYes
        progress.updateStep(5) {
            $0.status = .inProgress
            $0.updateAction("unplug-4-baseline") {
                $0.status = .alreadyDone
                $0.note = "tmux session vybn of vybnz69 (created at \(created)), container open-webui running (started at \(started))"
            }
            $0.updateAction("unplug-4-docker") { $0.status = .inFlight; $0.attempts = 1 }
        }
        return progress
    }

    /// Cut after check 4 was marked in flight but before docker stop ran: the container still
    /// runs from the start the baseline saw, so nothing was tested yet and it must not pass.
    @Test func aCutBeforeDockerStopRunsCheck4OnResume() {
        let host = SparkWithHooks(spark())
        let progress = cutWithCheck4InFlight(host)
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], progress: progress)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(host.machine.history == ["sudo docker stop open-webui", "sudo docker start open-webui"])
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.status == .done)
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.attempts == 2)
    }

    /// Cut after docker start returned, before it was recorded: the container has started since
    /// the baseline and the session survived, so the check is judged, not redone.
    @Test func aCutAfterDockerStartIsJudgedNotRedone() throws {
        let host = SparkWithHooks(spark())
        let progress = cutWithCheck4InFlight(host)
        _ = try host.run(.privileged(["docker", "stop", "open-webui"]))
        _ = try host.run(.privileged(["docker", "start", "open-webui"]))
        let run = runSteps([UnplugProtocolStep.make()], on: host, progress: progress)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(host.machine.history == ["sudo docker stop open-webui", "sudo docker start open-webui"])
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.status == .done)
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.note?.contains("survived") == true)
        #expect(run.progress.step(5)?.action("unplug-4-docker")?.attempts == 1)
    }

    @Test func aSecondRunOnlyVerifies() {
        let host = SparkWithHooks(spark())
        let first = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], answers: Self.allYes)
        #expect(first.outcome == .complete)
        let history = host.machine.history
        let second = runSteps([UnplugProtocolStep.make()], on: host, progress: first.progress)
        #expect(second.outcome == .complete)
        #expect(second.text.contains("[done] verified again"))
        #expect(host.machine.history == history)
    }

    @Test func followsTheOperatorsAnswers() {
        var machine = spark()
        machine.tmuxSessions[0].name = "agent"
        machine.tmuxSessions[0].socket = "agent"
        machine.docker.containers[0].name = "webui"
        let host = SparkWithHooks(machine)
        var answers = Self.allYes
        answers["tmuxSession"] = "agent"
        answers["webuiContainer"] = "webui"
        let run = runSteps([UnplugProtocolStep.make()], on: host, lines: ["y"], answers: answers)
        #expect(run.outcome == .complete)
        #expect(host.machine.history == ["sudo docker stop webui", "sudo docker start webui"])
        #expect(host.ran.contains { $0.argv == ["tmux", "-L", "agent", "has-session", "-t", "=agent"] && $0.runAs == .user("vybnz69") })
    }
}
