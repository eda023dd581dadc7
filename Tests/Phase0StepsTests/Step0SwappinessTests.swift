@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

/// Step 0 on machines where another sysctl file wins at boot (issue 9, §3): what the next boot
/// applies is computed like systemd-sysctl (SysctlBootTests) over the machine's own files.
@Suite struct Step0SwappinessTests {
    static let sysctlConfSixty = "vm.swappiness=60\n"

    /// A vendor file under /usr/lib/sysctl.d that sorts after phase0's drop-in: it is not edited
    /// (a package owns it); a copy of the same name in /etc/sysctl.d overrides it, without its
    /// swappiness line and with everything else kept.
    @Test func aVendorFileIsOverriddenNotEdited() throws {
        var machine = SimulatedSpark()
        machine.files["/usr/lib/sysctl.d"] = SimFile(content: nil, mode: 0o755, isDirectory: true)
        machine.files["/usr/lib/sysctl.d/zz-vendor.conf"] = SimFile(content: "vm.swappiness = 40\nkernel.pid_max = 4194304\n", mode: 0o644)
        let host = PracticeHost(machine: machine)
        let run = runSteps([SwapStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(host.machine.files["/usr/lib/sysctl.d/zz-vendor.conf"]?.content == "vm.swappiness = 40\nkernel.pid_max = 4194304\n")
        #expect(host.machine.files["/etc/sysctl.d/zz-vendor.conf"]?.content == "#vm.swappiness = 40\nkernel.pid_max = 4194304\n")
        #expect(run.text.contains("vm.swappiness at the next boot (10, from /etc/sysctl.d/99-zz-phase0-swappiness.conf)"), "\(run.text)")
    }

    /// phase0's own earlier drop-in (99-phase0-…, which /etc/sysctl.conf overrides) is moved
    /// aside as a backup; a file of that name phase0 did not write is left alone.
    @Test func phase0sEarlierDropInIsMigratedWithABackup() throws {
        var machine = SimulatedSpark()
        let old = "# Written by phase0 (Step 0 of \"Phase 0: Make Vybn Always-On\").\n# Keep the 229B model in RAM; swap only under pressure.\nvm.swappiness = 10\n"
        machine.files["/etc/sysctl.d/99-phase0-swappiness.conf"] = SimFile(content: old, mode: 0o644)
        machine.files["/etc/sysctl.conf"]?.content = Self.sysctlConfSixty
        let host = PracticeHost(machine: machine)
        let run = runSteps([SwapStep.make()], on: host, assumeYes: true)
        #expect(run.outcome == .complete, "\(run.text)")
        #expect(host.machine.files["/etc/sysctl.d/99-phase0-swappiness.conf"] == nil)
        #expect(host.machine.files["/etc/sysctl.d/99-phase0-swappiness.conf.phase0-backup.1"]?.content == old)
        #expect(host.machine.history.contains("sudo mv --no-clobber /etc/sysctl.d/99-phase0-swappiness.conf /etc/sysctl.d/99-phase0-swappiness.conf.phase0-backup.1"))
        // /etc/sysctl.conf keeps its 60 and loses at boot.
        #expect(host.machine.files["/etc/sysctl.conf"]?.content == Self.sysctlConfSixty)

        var other = SimulatedSpark()
        other.files["/etc/sysctl.d/99-phase0-swappiness.conf"] = SimFile(content: "vm.swappiness = 20\n", mode: 0o644)
        let otherHost = PracticeHost(machine: other)
        #expect(runSteps([SwapStep.make()], on: otherHost, assumeYes: true).outcome == .complete)
        #expect(otherHost.machine.files["/etc/sysctl.d/99-phase0-swappiness.conf"]?.content == "vm.swappiness = 20\n")
    }

    /// Step 0 verifies the boot value, not only /proc/sys: a later file set to 60 after Step 0
    /// makes it not done; the next run fixes it and nothing else.
    @Test func verifyReadsTheValueTheNextBootApplies() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        let first = runSteps([SwapStep.make()], on: host, assumeYes: true)
        #expect(first.outcome == .complete)
        host.machine.files["/etc/sysctl.d/zzz-late.conf"] = SimFile(content: "vm.swappiness=60\n", mode: 0o644)
        let ctx = stepContext(host, answers: first.progress.answers)
        let checks = try SwapStep.verify(ctx)
        let boot = try #require(checks.first { $0.label == "vm.swappiness at the next boot" })
        #expect(!boot.ok && boot.detail.contains("60, from /etc/sysctl.d/zzz-late.conf"), "\(boot)")
        let before = host.machine.history.count
        let again = runSteps([SwapStep.make()], on: host, progress: first.progress, assumeYes: true)
        #expect(again.outcome == .complete, "\(again.text)")
        #expect(host.machine.files["/etc/sysctl.d/zzz-late.conf"]?.content == "#vm.swappiness=60\n")
        #expect(host.machine.history.dropFirst(before).allSatisfy { $0.contains("zzz-late.conf") }, "\(host.machine.history.dropFirst(before))")
    }
}
