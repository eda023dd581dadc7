@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestSupport
import Testing

/// Files under /etc are written by AtomicWrite: backed up first (never over an older backup),
/// installed beside the target, then renamed over it.
@Suite struct AtomicWriteTests {
    @Test func backupsNeverOverwriteAnOlderOne() {
        let host = PracticeHost(machine: SimulatedSpark())
        #expect(AtomicWrite.backupPath(for: "/etc/fstab", host: host) == "/etc/fstab.phase0-backup.1")
        host.machine.files["/etc/fstab.phase0-backup.1"] = SimFile(content: "old\n", mode: 0o644)
        host.machine.files["/etc/fstab.phase0-backup.2"] = SimFile(content: "older\n", mode: 0o644)
        #expect(AtomicWrite.backupPath(for: "/etc/fstab", host: host) == "/etc/fstab.phase0-backup.3")
    }

    @Test func commandsBackUpThenInstallThenRename() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        let original = try #require(host.readFile("/etc/fstab"))
        let new = Fstab.ensureSwapfile(in: original, swapfile: "/swapfile").text
        let commands = AtomicWrite.commands(path: "/etc/fstab", content: new, mode: "0644", host: host)
        #expect(commands.map(\.argv) == [
            ["cp", "-p", "--no-clobber", "/etc/fstab", "/etc/fstab.phase0-backup.1"],
            ["install", "-m", "0644", "/dev/stdin", "/etc/fstab.phase0-new"],
            ["mv", "-f", "/etc/fstab.phase0-new", "/etc/fstab"],
        ])
        #expect(commands.allSatisfy { $0.effect == .change && $0.runAs == .root })
        for command in commands { #expect(try host.run(command).succeeded) }
        #expect(host.readFile("/etc/fstab") == new)
        #expect(host.readFile("/etc/fstab.phase0-backup.1") == original)
        #expect(host.fileInfo("/etc/fstab.phase0-new") == nil)
    }

    /// A resume after a cut between the backup and the rename finds the file unchanged and
    /// its newest backup identical: no second copy; a changed file gets a new backup.
    @Test func anIdenticalNewestBackupIsNotTakenAgain() {
        let host = PracticeHost(machine: SimulatedSpark())
        let current = host.readFile("/etc/fstab")
        host.machine.files["/etc/fstab.phase0-backup.1"] = SimFile(content: "older\n", mode: 0o644)
        host.machine.files["/etc/fstab.phase0-backup.2"] = SimFile(content: current, mode: 0o644)
        #expect(AtomicWrite.commands(path: "/etc/fstab", content: "x\n", mode: "0644", host: host).map { $0.argv[0] } == ["install", "mv"])
        host.machine.files["/etc/fstab"]?.content = "edited by hand\n"
        #expect(AtomicWrite.commands(path: "/etc/fstab", content: "x\n", mode: "0644", host: host).first?.argv.last == "/etc/fstab.phase0-backup.3")
        // Only the newest counts: the content of an older backup is history, not "now".
        host.machine.files["/etc/fstab"]?.content = "older\n"
        #expect(AtomicWrite.commands(path: "/etc/fstab", content: "x\n", mode: "0644", host: host).first?.argv.last == "/etc/fstab.phase0-backup.3")
    }

    @Test func aNewFileHasNoBackup() {
        let host = PracticeHost(machine: SimulatedSpark())
        let commands = AtomicWrite.commands(path: "/etc/sysctl.d/x.conf", content: "a\n", mode: "0644", host: host)
        #expect(commands.map { $0.argv[0] } == ["install", "mv"])
    }
}
