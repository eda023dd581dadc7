import Testing
import Foundation
@testable import Phase0Practice
import Phase0Core
import Phase0Parsers

/// The drill prompt reads lines the way a shell does, and the simulated reboot keeps only what
/// was persisted (FACTS.md B1-B3 for sysctl).
@Suite struct TeachingShellTests {
    @Test func linesAreSplitAsAShellWould() throws {
        let line = try ShellLine.parse("sudo dmesg | grep -i 'oom\\|killed' | tail -20")
        #expect(line.commands == [["sudo", "dmesg"], ["grep", "-i", "oom\\|killed"], ["tail", "-20"]])
        #expect(try ShellLine.parse("echo \"a b\" c\\ d >/dev/null").pipelines[0].hidesOutput)
        #expect(try ShellLine.parse("a && b; c").pipelines.map(\.joiner) == [.always, .ifSucceeded, .always])
        #expect(throws: ShellLine.ParseError.self) { try ShellLine.parse("echo 'open") }
        #expect(throws: ShellLine.ParseError.self) { try ShellLine.parse("cat $(ls)") }
        #expect(throws: ShellLine.ParseError.self) { try ShellLine.parse("ls > out.txt") }
    }

    @Test func patternsMatchLikeGrep() {
        #expect(SimPattern("oom\\|killed", ignoreCase: true).matches("Out of memory: Killed process"))
        #expect(!SimPattern("oom\\|killed").matches("Out of memory: Killed process"))
        #expect(SimPattern("^vm.swappiness").matches("vm.swappiness=60"))
        #expect(!SimPattern("^vm.swappiness").matches("# vm.swappiness=60"))
        #expect(SimPattern("swap\\.img$").matches("/swap.img"))
        #expect(SimPattern("a.*c").firstMatch(in: "xxabbbcx") == 2..<7)
    }

    func spark() -> SimulatedSpark {
        var machine = SimulatedSpark()
        machine.files["/etc/sysctl.d/99-phase0-swappiness.conf"] = SimFile(content: "vm.swappiness = 10\n", mode: 0o644)
        return machine
    }

    /// B1: Debian's 99-sysctl.conf (/etc/sysctl.conf) sorts after 99-phase0-…: its 60 wins.
    @Test func theSysctlFileAppliedLastWinsAtBoot() {
        var machine = spark()
        #expect(machine.bootSysctl()["vm.swappiness"] == "10")
        machine.files["/etc/sysctl.conf"]?.content = "vm.swappiness=60\n"
        #expect(machine.bootSysctl()["vm.swappiness"] == "60")
        // B2: a name sorting after 99-sysctl.conf wins; upper case sorts before it.
        machine.files["/etc/sysctl.d/99-ZZ-phase0.conf"] = SimFile(content: "vm.swappiness=7\n", mode: 0o644)
        #expect(machine.bootSysctl()["vm.swappiness"] == "60")
        machine.files["/etc/sysctl.d/99-zz-phase0.conf"] = SimFile(content: "vm/swappiness = 10\n", mode: 0o644)
        #expect(machine.bootSysctl()["vm.swappiness"] == "10")
        // B3: the same name in /etc hides /usr/lib's, whatever it says.
        machine.files["/usr/lib/sysctl.d/99-zz-phase0.conf"] = SimFile(content: "vm.swappiness=99\n", mode: 0o644)
        #expect(machine.bootSysctl()["vm.swappiness"] == "10")
        machine.reboot()
        #expect(machine.swappiness == 10)
    }

    @Test func aRebootKeepsWhatFstabAndEnabledUnitsSay() {
        var machine = spark()
        machine.tmuxSessions = [SimTmuxSession(user: "vybnz69", name: "by-hand", fromUnit: nil)]
        machine.services["ollama.service"]?.enabled = false
        machine.swaps.append(SwapArea(path: "/extra", type: "file", sizeKiB: 1024, usedKiB: 0, priority: -3))
        machine.reboot()
        #expect(machine.swaps.map(\.path) == ["/swap.img"], "only fstab's swap comes back")
        #expect(machine.tmuxSessions.isEmpty)
        #expect(machine.services["ollama.service"]?.active == false)
        #expect(machine.services["docker.service"]?.active == true)
        #expect(machine.boots == 1)
    }

    @Test func unknownProgramsAreNotInTheDrill() {
        var shell = DrillShell(machine: SimulatedSpark())
        #expect(shell.run("ipconfig /all").unknown == "ipconfig")
        #expect(shell.run("free -h | grep Swap").output.hasPrefix("Swap:"))
        #expect(shell.run("echo vm.swappiness=60 | tee -a /etc/sysctl.conf").output.contains("Permission denied"))
        #expect(shell.run("echo vm.swappiness=60 | sudo tee -a /etc/sysctl.conf").exitStatus == 0)
        #expect(shell.machine.files["/etc/sysctl.conf"]?.content?.hasSuffix("vm.swappiness=60\n") == true)
        #expect(shell.run("printf 'a\\nb\\nc\\n' | grep -A1 a").output == "a\nb\n")
        #expect(shell.run("grep -c swap /etc/fstab").output == "1\n")
    }
}
