@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// The resume file under pressure (issue 5), with the built binary: a full disk, a file size
/// limit, a read-only directory, a second wizard; and the modes of everything phase0 writes.
/// Each time: a clear error naming the file, the previous progress byte for byte intact.
@Suite struct FileSafetyStateTests {
    struct Setup {
        var home: String
        var answers: String
        var state: String { Rel.statePath(home: home) }
        var environment: [String: String] { Rel.environment(home: home) }
        var args: [String] { Rel.practiceArgs(answersPath: answers) }
    }

    /// A home with an answers file; `run` does a first complete practice run.
    static func setup(in directory: String, run: Bool = true) throws -> Setup {
        let home = directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let setup = Setup(home: home, answers: directory + "/answers.json")
        try write(try Rel.answersJSON(Rel.answers), to: setup.answers)
        if run { _ = try Program.run(setup.args, environment: setup.environment) }
        return setup
    }

    /// No temporary resume file may be left behind by a failed save.
    static func leftovers(_ setup: Setup) -> [String] {
        let directory = (setup.state as NSString).deletingLastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".tmp-") }
    }

    static var isRoot: Bool { geteuid() == 0 }

    // MARK: Full disk

    @Test(.enabled(if: isRoot, "mounting a tmpfs needs root (CI runs as root)"))
    func fullDiskLeavesThePreviousStateIntact() throws {
        let scratch = try TempDir("fulldisk")
        defer { scratch.remove() }
        let directory = scratch.path
        let mountPoint = directory + "/fs"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try Program.run(["/bin/mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mountPoint], environment: [:])
        try #require(mounted.status == 0, "mount: \(mounted.output)")
        defer { _ = try? Program.run(["/bin/umount", "-l", mountPoint], environment: [:]) }

        let setup = try Self.setup(in: mountPoint)
        let before = try #require(Rel.read(setup.state))
        // Fill the filesystem to the last byte.
        let filler = open(mountPoint + "/filler", O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0x55, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        let one: [UInt8] = [0]
        while one.withUnsafeBytes({ write(filler, $0.baseAddress, 1) }) > 0 {}
        close(filler)

        let full = try Program.run(setup.args, environment: setup.environment)
        #expect(full.status == ExitStatus.failed)
        #expect(full.output.contains("could not save progress to \(setup.state): No space left on device"), "\(full.output.suffix(600))")
        #expect(full.output.contains("the previous progress file is unchanged"))
        #expect(Rel.read(setup.state) == before, "the resume file changed on a full disk")
        #expect(Self.leftovers(setup).isEmpty)

        unlink(mountPoint + "/filler")
        let again = try Program.run(setup.args, environment: setup.environment)
        #expect(again.status == ExitStatus.failed || again.status == 0, "with space again it resumes: \(again.output.suffix(300))")
        #expect(try Progress.decodePractice(try #require(Rel.read(setup.state))).steps.count >= 1)
    }

    /// The same without root: a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes the
    /// write fail with EFBIG, as a full disk makes it fail with ENOSPC.
    @Test func fileSizeLimitLeavesThePreviousStateIntact() throws {
        let scratch = try TempDir("fsize")
        defer { scratch.remove() }
        let directory = scratch.path
        let setup = try Self.setup(in: directory)
        let before = try #require(Rel.read(setup.state))
        let limited = ["/bin/bash", "-c", "trap '' XFSZ; ulimit -f 4; exec \"$@\"", "bash"] + setup.args
        let result = try Program.run(limited, environment: setup.environment)
        #expect(result.status == ExitStatus.failed)
        #expect(result.output.contains("could not save progress to \(setup.state): File too large"), "\(result.output.suffix(600))")
        #expect(Rel.read(setup.state) == before)
        #expect(Self.leftovers(setup).isEmpty)
    }

    /// A save that fails halfway through a run: the last good progress stays, and a later
    /// run resumes from it to the same end as an uninterrupted run.
    @Test func aSaveFailingMidRunResumesToTheSameEnd() throws {
        let scratch = try TempDir("fsize-mid")
        defer { scratch.remove() }
        let directory = scratch.path
        let reference = try Self.setup(in: directory + "/reference")
        let referenceState = try Rel.normalized(try #require(Rel.read(reference.state)))

        let setup = try Self.setup(in: directory + "/limited", run: false)
        // The first save (~7 KB) fits, the later ones (~10 KB) do not.
        let limited = ["/bin/bash", "-c", "trap '' XFSZ; ulimit -f 9; exec \"$@\"", "bash"] + setup.args
        let cut = try Program.run(limited, environment: setup.environment)
        #expect(cut.status == ExitStatus.failed)
        #expect(cut.output.contains("File too large"), "\(cut.output.suffix(400))")
        let left = try #require(Rel.read(setup.state))
        let progress = try Progress.decodePractice(left)
        #expect(progress.step(0)?.status != .done, "the limit should have stopped it inside Step 0")
        let resumed = try Program.run(setup.args, environment: setup.environment)
        #expect(resumed.status == ExitStatus.failed || resumed.status == 0)
        #expect(try Rel.normalized(try #require(Rel.read(setup.state))) == referenceState)
    }

    // MARK: Read-only directory

    /// As root, permissions do not stop writes: the wizard runs as `nobody` for this test.
    static func asOperator(_ args: [String]) -> [String] {
        isRoot ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + args : args
    }

    @Test func readOnlyDirectoryLeavesThePreviousStateIntact() throws {
        let scratch = try TempDir("readonly")
        defer { scratch.remove() }
        let directory = scratch.path
        let setup = try Self.setup(in: directory, run: false)
        if Self.isRoot {
            for path in [directory, setup.home, setup.answers] { chown(path, 65534, 65534) }
        }
        let first = try Program.run(Self.asOperator(setup.args), environment: setup.environment)
        #expect(first.status == ExitStatus.failed || first.status == 0, "\(first.output.suffix(400))")
        let before = try #require(Rel.read(setup.state))
        let stateDirectory = (setup.state as NSString).deletingLastPathComponent
        chmod(stateDirectory, 0o500)
        defer { chmod(stateDirectory, 0o700) }
        let result = try Program.run(Self.asOperator(setup.args), environment: setup.environment)
        #expect(result.status == ExitStatus.failed)
        #expect(result.output.contains("could not save progress to \(setup.state): Permission denied"), "\(result.output.suffix(600))")
        #expect(Rel.read(setup.state) == before)
    }

    @Test(.enabled(if: isRoot, "remounting read-only needs root"))
    func readOnlyFilesystemLeavesThePreviousStateIntact() throws {
        let scratch = try TempDir("rofs")
        defer { scratch.remove() }
        let directory = scratch.path
        let mountPoint = directory + "/fs"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try Program.run(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint], environment: [:]).status == 0)
        defer { _ = try? Program.run(["/bin/umount", "-l", mountPoint], environment: [:]) }
        let setup = try Self.setup(in: mountPoint)
        let before = try #require(Rel.read(setup.state))
        try #require(try Program.run(["/bin/mount", "-o", "remount,ro", mountPoint], environment: [:]).status == 0)
        let result = try Program.run(setup.args, environment: setup.environment)
        #expect(result.status == ExitStatus.failed)
        #expect(result.output.contains(setup.state) && result.output.contains("Read-only file system"), "\(result.output.suffix(600))")
        #expect(Rel.read(setup.state) == before)
    }

    // MARK: Two wizards

    @Test func aSecondWizardOnTheSameStateRefusesAndNamesTheHolder() throws {
        let scratch = try TempDir("lock")
        defer { scratch.remove() }
        let directory = scratch.path
        let setup = try Self.setup(in: directory, run: false)
        // The first wizard waits at its first confirmation (no -y), holding the lock.
        let first = try Program.start([phase0Binary, "--practice", "--answers", setup.answers], environment: setup.environment)
        try #require(first.waitForOutput("Run this?"), "the first wizard never asked: \(first.output.suffix(400))")
        let before = Rel.read(setup.state)

        let second = try Program.run(setup.args, environment: setup.environment)
        #expect(second.status == ExitStatus.locked)
        #expect(second.output.contains("another phase0 (PID \(first.pid)) is using \(setup.state)"), "\(second.output)")
        #expect(Rel.read(setup.state) == before, "the refused wizard touched the resume file")

        first.closeInput()   // end of input: never a yes
        #expect(first.wait().status == ExitStatus.interrupted)
    }
}
