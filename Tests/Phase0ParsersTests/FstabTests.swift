@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

/// An fstab with everything an edit must leave alone: comments, a comment mentioning
/// swap.img, a mount point named after it, odd spacing, tabs, trailing blanks.
let oddFstab = """
    # /etc/fstab: static file system information.
    #   keep   this   spacing\t\tand tabs   
    # The old /swap.img line below is retired by phase0 (a comment, not an entry).
    UUID=5c8f3f0e-2b7c-4a51-9a43-6d1c1b9e0c11   /      ext4    defaults,noatime   0   1
    \tUUID=7A1B-2C3D\t/boot/efi\tvfat\tumask=0077\t0\t1
    /dev/sdb1  /mnt/swap.img-archive  ext4  defaults  0  2

      /swap.img   none   swap   sw   0   0
    tmpfs /tmp tmpfs defaults 0 0   

    """

@Suite struct FstabEditTests {
    /// The lines of a file that ends with a newline.
    func lines(_ text: String) -> [Substring] { text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) }

    @Test func retiresSwapImgAndAddsOneSwapfileLine() {
        let edit = Fstab.ensureSwapfile(in: oddFstab, swapfile: "/swapfile")
        #expect(Fstab.activeSwapDevices(in: edit.text) == ["/swapfile"])
        #expect(edit.text.contains("\n#  /swap.img   none   swap   sw   0   0\n"))
        #expect(edit.text.hasSuffix("/swapfile none swap sw 0 0\n"))
        #expect(edit.changes.count == 2)
    }

    @Test func everyOtherLineIsKeptByteForByte() {
        let before = lines(oddFstab)
        let after = lines(Fstab.ensureSwapfile(in: oddFstab, swapfile: "/swapfile").text)
        // Same lines in the same order, except the retired one and the appended one.
        #expect(after.count == before.count + 1)
        for (index, line) in before.enumerated() where !line.contains("/swap.img   none") {
            #expect(after[index] == line)
        }
        // The comment mentioning /swap.img and the mount point named swap.img-archive are
        // untouched: the guide's `sed 's|^.*swap\\.img|#&|'` would have commented out both.
        #expect(after.contains("# The old /swap.img line below is retired by phase0 (a comment, not an entry)."))
        #expect(after.contains("/dev/sdb1  /mnt/swap.img-archive  ext4  defaults  0  2"))
    }

    @Test func applyingTwiceChangesNothing() {
        let once = Fstab.ensureSwapfile(in: oddFstab, swapfile: "/swapfile")
        let twice = Fstab.ensureSwapfile(in: once.text, swapfile: "/swapfile")
        #expect(twice.text == once.text)
        #expect(twice.changes.isEmpty)
        let guide = SimulatedSpark().files["/etc/fstab"]!.content!
        let g1 = Fstab.ensureSwapfile(in: guide, swapfile: "/swapfile")
        #expect(Fstab.ensureSwapfile(in: g1.text, swapfile: "/swapfile") == Fstab.Edit(text: g1.text, changes: []))
    }

    @Test func duplicateSwapfileLinesAreReducedToOneActive() {
        let text = "/swapfile none swap sw 0 0\n/swapfile none swap sw 0 0\n/swapfile\tnone\tswap\tsw,pri=5\t0\t0\n"
        let edit = Fstab.ensureSwapfile(in: text, swapfile: "/swapfile")
        #expect(Fstab.activeSwapDevices(in: edit.text) == ["/swapfile"])
        #expect(edit.text == "/swapfile none swap sw 0 0\n#/swapfile none swap sw 0 0\n#/swapfile\tnone\tswap\tsw,pri=5\t0\t0\n")
        #expect(Fstab.ensureSwapfile(in: edit.text, swapfile: "/swapfile").changes.isEmpty)
    }

    @Test func anExistingSwapfileLineWithOtherOptionsIsKept() {
        let text = "/swap.img none swap sw 0 0\n/swapfile none swap sw,pri=10 0 0\n"
        let edit = Fstab.ensureSwapfile(in: text, swapfile: "/swapfile")
        #expect(edit.text == "#/swap.img none swap sw 0 0\n/swapfile none swap sw,pri=10 0 0\n")
    }

    @Test func aNonSwapEntryForTheSwapfilePathIsCommentedOut() {
        let edit = Fstab.ensureSwapfile(in: "/swapfile /mnt/x ext4 loop 0 0\n", swapfile: "/swapfile")
        #expect(edit.text == "#/swapfile /mnt/x ext4 loop 0 0\n/swapfile none swap sw 0 0\n")
    }

    @Test func aCommentedSwapfileLineDoesNotCount() {
        let edit = Fstab.ensureSwapfile(in: "#/swapfile none swap sw 0 0\n", swapfile: "/swapfile")
        #expect(edit.text == "#/swapfile none swap sw 0 0\n/swapfile none swap sw 0 0\n")
    }

    @Test func inputWithoutATrailingNewline() {
        let edit = Fstab.ensureSwapfile(in: "UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0", swapfile: "/swapfile")
        #expect(edit.text == "UUID=1 / ext4 defaults 0 1\n#/swap.img none swap sw 0 0\n/swapfile none swap sw 0 0\n")
        #expect(Fstab.ensureSwapfile(in: edit.text, swapfile: "/swapfile").changes.isEmpty)
        // Already right but without a final newline: left exactly as it is.
        let done = "/swapfile none swap sw 0 0"
        #expect(Fstab.ensureSwapfile(in: done, swapfile: "/swapfile") == Fstab.Edit(text: done, changes: []))
    }

    @Test func emptyFstab() {
        #expect(Fstab.ensureSwapfile(in: "", swapfile: "/swapfile").text == "/swapfile none swap sw 0 0\n")
    }

    @Test func theSwapfileMayBeSwapImgItself() {
        let text = "/swap.img none swap sw 0 0\n"
        #expect(Fstab.ensureSwapfile(in: text, swapfile: "/swap.img") == Fstab.Edit(text: text, changes: []))
    }

    /// The real findmnt parses what we write (0 parse errors) and sees exactly one swap entry.
    @Test func realFindmntParsesTheEditedFile() throws {
        let findmnt = "/usr/bin/findmnt"
        try #require(FileManager.default.isExecutableFile(atPath: findmnt), "findmnt (util-linux) is needed")
        let dir = try TempDir()
        let path = dir.path + "/fstab"
        try Fstab.ensureSwapfile(in: oddFstab, swapfile: "/swapfile").text.write(toFile: path, atomically: false, encoding: .utf8)
        let (status, output) = try runTool(findmnt, ["--verify", "--verbose", "--tab-file", path])
        #expect(output.contains("0 parse errors"), "\(output)")
        let targets = output.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        #expect(targets.filter { $0 == "none" }.count == 1, "\(output)")
        #expect(targets.contains("/mnt/swap.img-archive"), "\(output)")
        _ = status   // exit 1 here: the UUIDs of the sample do not exist on this machine.
    }
}

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

    /// cp --no-clobber on the simulated Spark keeps an existing backup, as the real one does.
    @Test func noClobberKeepsTheFirstBackup() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        host.machine.files["/etc/fstab.phase0-backup.1"] = SimFile(content: "first\n", mode: 0o644)
        _ = try host.run(.privileged(["cp", "-p", "--no-clobber", "/etc/fstab", "/etc/fstab.phase0-backup.1"]))
        #expect(host.readFile("/etc/fstab.phase0-backup.1") == "first\n")
    }
}

/// Runs a program (a real tool, never one that changes the machine) and returns its status and output.
func runTool(_ path: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A private temporary directory, removed when the test ends. On /dev/shm when it exists,
/// so the many fsyncs of the resume tests cost nothing.
final class TempDir {
    let path: String
    init() throws {
        let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(base)/phase0-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
