@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

@Suite struct Step1MoshTests {
    @Test func theOperatorCanSkipIt() {
        let host = PracticeHost(machine: sparkAfterStep0())
        let run = runSteps([MoshStep.make()], on: host, lines: ["s"])
        #expect(run.outcome == .complete)
        #expect(run.progress.step(1)?.status == .skipped)
        #expect(run.progress.answers["installMosh"] == "no")
        #expect(host.machine.history.isEmpty)
        #expect(!host.machine.programs.contains("mosh-server"))
    }

    @Test func installsMoshAndLeavesAnInactiveFirewallAlone() {
        let host = PracticeHost(machine: sparkAfterStep0())
        let run = runSteps([MoshStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history == ["sudo apt-get update", "sudo apt-get install -y mosh"])
        #expect(host.machine.programs.contains("mosh-server"))
        #expect(host.machine.ufw.rules.isEmpty)
        #expect(run.text.contains("ufw is inactive; no rule needed"))
        #expect(run.progress.step(1)?.status == .done)
        #expect(run.progress.step(1)?.action("install-mosh")?.status == .done)
        #expect(run.progress.step(1)?.action("ufw-mosh")?.status == .alreadyDone)
    }

    @Test func opensTheUDPRangeWhenUfwIsActive() {
        var machine = sparkAfterStep0()
        machine.ufw.active = true
        let host = PracticeHost(machine: machine)
        let run = runSteps([MoshStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history.last == "sudo ufw allow 60000:61000/udp")
        #expect(host.machine.ufw.rules == ["60000:61000/udp"])
        #expect(run.text.contains("ufw is active and allows 60000:61000/udp"))
    }

    @Test func aPresentMoshIsKeptAndItsVersionShown() {
        var machine = sparkAfterStep0()
        machine.programs += ["mosh", "mosh-server", "mosh-client"]
        let host = PracticeHost(machine: machine)
        let run = runSteps([MoshStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(host.machine.history.isEmpty)
        #expect(run.text.contains("mosh-server (mosh 1.4.0)"))
        #expect(run.text.contains("already done"))
    }

    @Test func aSecondRunChangesNothing() {
        var machine = sparkAfterStep0()
        machine.ufw.active = true
        let host = PracticeHost(machine: machine)
        let first = runSteps([MoshStep.make()], on: host, assumeYes: true)
        let history = host.machine.history
        let second = runSteps([MoshStep.make()], on: host, progress: first.progress, assumeYes: true)
        #expect(second.outcome == .complete)
        #expect(host.machine.history == history)
        #expect(second.text.contains("[done] verified again"))
    }

    @Test func saysSoWhenUfwIsNotInstalled() {
        var machine = sparkAfterStep0()
        machine.programs.removeAll { $0 == "ufw" }
        let host = PracticeHost(machine: machine)
        let run = runSteps([MoshStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete)
        #expect(run.text.contains("ufw is not installed; no rule needed"))
    }

    @Test func everyInstallCommandIsConfirmedAndNoMeansNothingRuns() {
        let host = PracticeHost(machine: sparkAfterStep0())
        let reader = ScriptedLineReader(["y", "n"])
        let run = runSteps([MoshStep.make()], on: host, reader: reader)
        #expect(run.outcome == .stopped("you declined \"Install mosh (apt-get)\"; nothing was run"))
        #expect(host.machine.history.isEmpty)
        #expect(run.text.contains("$ sudo apt-get install -y mosh"))
        #expect(reader.prompts.last?.contains("Run this?") == true)
    }
}
