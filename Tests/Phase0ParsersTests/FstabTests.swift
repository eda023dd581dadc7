@testable import Phase0Parsers
import Phase0TestKit
import Foundation
import Testing

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
        let dir = try TempDir("fstab")
        defer { dir.remove() }
        let path = dir.path + "/fstab"
        try Fstab.ensureSwapfile(in: oddFstab, swapfile: "/swapfile").text.write(toFile: path, atomically: false, encoding: .utf8)
        let verified = try Program.run([findmnt, "--verify", "--verbose", "--tab-file", path])
        let output = verified.output
        #expect(output.contains("0 parse errors"), "\(output)")
        let targets = output.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        #expect(targets.filter { $0 == "none" }.count == 1, "\(output)")
        #expect(targets.contains("/mnt/swap.img-archive"), "\(output)")
        // Its exit status is 1 here: the UUIDs of the sample do not exist on this machine.
    }
}
