@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing
import Foundation
@testable import Phase0Core
@testable import Phase0Steps

func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    return try String(contentsOf: url, encoding: .utf8)
}

@Suite struct ProcSwapsTests {
    @Test func parsesTheSparksSwaps() throws {
        let areas = try ProcSwaps.parse(try fixture("proc-swaps-spark.txt"))
        #expect(areas == [SwapArea(path: "/swap.img", type: "file", sizeKiB: 16_777_212, usedKiB: 1_782_580, priority: -2)])
    }

    @Test func parsesTheSparkAfterStep0() throws {
        let areas = try ProcSwaps.parse(try fixture("proc-swaps-after.txt"))
        #expect(areas.map(\.path) == ["/swap.img", "/swapfile"])
        #expect(areas[1].sizeKiB == 134_217_724)
        #expect(SwapGate.evaluate(areas).passes)
    }

    /// The fixture is printed with the kernel's own format string (mm/swapfile.c), paths
    /// escaped as the kernel escapes them: space \040, tab \011, backslash \134.
    @Test func partitionsAndEscapedPaths() throws {
        let areas = try ProcSwaps.parse(try fixture("proc-swaps-escaped.txt"))
        #expect(areas == [
            SwapArea(path: "/dev/nvme0n1p3", type: "partition", sizeKiB: 8_388_604, usedKiB: 0, priority: -2),
            SwapArea(path: "/mnt/data disk/swap file", type: "file", sizeKiB: 67_108_860, usedKiB: 1234, priority: -3),
            SwapArea(path: "/srv/tab\there\\x", type: "file", sizeKiB: 1_048_572, usedKiB: 0, priority: 5),
        ])
    }

    @Test func headerOnlyMeansNoSwap() throws {
        #expect(try ProcSwaps.parse(try fixture("proc-swaps-empty.txt")) == [])
        #expect(try ProcSwaps.parse("") == [])
        #expect(!SwapGate.evaluate([]).passes)
    }

    @Test(arguments: [
        ("Filename\tType\tSize\tUsed\tPriority\n/swapfile file 100\n", 2),
        ("Filename\tType\tSize\tUsed\tPriority\n/swapfile file lots 0 -2\n", 2),
        ("Filename\tType\tSize\tUsed\tPriority\n/swapfile file -5 0 -2\n", 2),
        ("Filename\tType\tSize\tUsed\tPriority\n/a file 1 0 -2\n/swapfile file 1 0 -2 extra\n", 3),
        ("garbage\n", 1),
        // A header anywhere but the first line is not a header.
        ("/a file 1 0 -2\nFilename\tType\tSize\tUsed\tPriority\n", 2),
    ])
    func malformedLinesAreErrorsWithTheirLineNumber(text: String, line: Int) {
        #expect {
            try ProcSwaps.parse(text)
        } throws: { error in
            (error as? ParseError)?.line == line && (error as? ParseError)?.source == "/proc/swaps"
        }
    }

    @Test func renderAndParseRoundTrip() throws {
        let areas = [SwapArea(path: "/swap.img", sizeKiB: 16_777_212, usedKiB: 3, priority: -2),
                     SwapArea(path: "/with space/f", sizeKiB: 4, usedKiB: 0, priority: -3)]
        #expect(try ProcSwaps.parse(ProcSwaps.render(areas)) == areas)
    }

    @Test func theGateAllowsOneHeaderPagePerArea() {
        // mkswap keeps one 4 KiB page for its header: 64 GiB - 4 KiB.
        let verdict = SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 4)])
        #expect(verdict.passes)
        // 64 KiB pages (some aarch64 kernels) are allowed too, but not a page more.
        #expect(SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 64)]).passes)
        #expect(!SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 65)]).passes)
        #expect(!SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 63 * 1024 * 1024)]).passes)
        // Two mkswap'd areas summing to 64G pass; the allowance is per area.
        #expect(SwapGate.evaluate([SwapArea(path: "/a", sizeKiB: 32 * 1024 * 1024 - 4),
                                   SwapArea(path: "/b", sizeKiB: 32 * 1024 * 1024 - 4)]).passes)
    }

    @Test func aMalformedProcSwapsClosesTheGate() {
        let malformed = SwapGate.figures(FixedFileHost(files: ["/proc/swaps": "nonsense\n", "/etc/fstab": ""]))
        #expect(!malformed.passes)
        #expect(malformed.problem?.contains("/proc/swaps line 1") == true)
        let missing = SwapGate.figures(FixedFileHost(files: [:]))
        #expect(!missing.passes && missing.problem?.contains("could not be read") == true)
    }
}

@Suite struct MemInfoTests {
    @Test func parsesTheSparksMeminfo() throws {
        let info = try MemInfo.parse(try fixture("proc-meminfo-spark.txt"))
        #expect(info == MemInfo(memTotalKiB: 126_877_696, memAvailableKiB: 235_520, swapTotalKiB: 16_777_212, swapFreeKiB: 14_994_632))
    }

    /// This machine's own /proc/meminfo, copied as it was (HugePages_* have no unit).
    @Test func parsesARealFullFile() throws {
        let text = try fixture("proc-meminfo-x86-host.txt")
        let info = try MemInfo.parse(text)
        #expect(info.memTotalKiB > 0 && info.memAvailableKiB <= info.memTotalKiB)
        #expect(info.swapFreeKiB <= info.swapTotalKiB)
        #expect(text.contains("HugePages_Total:"))
    }

    @Test(arguments: ["MemTotal", "MemAvailable", "SwapTotal", "SwapFree"])
    func aMissingKeyIsNamed(key: String) throws {
        let text = try fixture("proc-meminfo-spark.txt").split(separator: "\n")
            .filter { !$0.hasPrefix(key + ":") }.joined(separator: "\n")
        #expect {
            try MemInfo.parse(text)
        } throws: { error in
            (error as? ParseError)?.reason == "\(key) is missing"
        }
    }

    @Test func malformedLines() {
        #expect(throws: ParseError.self) { try MemInfo.parse("MemTotal 12 kB\n") }
        #expect(throws: ParseError.self) { try MemInfo.parse("MemTotal: lots kB\n") }
        #expect(throws: ParseError.self) { try MemInfo.parse("MemTotal: -1 kB\n") }
    }

    @Test func theSimulatedSparkReportsWhatTheGuideSays() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        let info = try MemInfo.parse(try #require(host.readFile("/proc/meminfo")))
        #expect(info.memAvailableKiB == 230 * 1024)
        #expect(info.swapTotalKiB == 16 * 1024 * 1024 - 4)
        #expect(info.swapFreeKiB == info.swapTotalKiB - 1_782_580)
    }
}

@Suite struct ByteSizeTests {
    static let giB = ByteSize.giB

    @Test(arguments: [
        ("128G", 128 * giB), ("64G", 64 * giB), ("64GiB", 64 * giB), ("64gib", 64 * giB),
        ("1T", 1024 * giB), ("512M", 512 * ByteSize.miB), (" 128G ", 128 * giB), ("16T", 16 * 1024 * giB),
    ])
    func accepted(text: String, bytes: Int64) {
        #expect(ByteSize.parse(text) == .success(bytes))
    }

    @Test(arguments: [
        ("-1", "not a size"), ("0", "no unit"), ("0G", "more than zero"), ("1e9T", "unknown unit"),
        ("", "required"), ("G", "not a size"), ("12X", "unknown unit"), ("17T", "larger than 16T"),
        ("99999999999999999999G", "not a size"), ("128 G", "unknown unit"), ("1.5G", "unknown unit"),
        ("\u{0661}\u{0662}G", "not a size"), ("128K", "unknown unit"), ("64GB", "ambiguous"),
    ])
    func refusedWithAReason(text: String, reason: String) throws {
        guard case .failure(let failure) = ByteSize.parse(text) else {
            Issue.record("\"\(text)\" was accepted")
            return
        }
        #expect(failure.reason.contains(reason), "\(failure.reason)")
    }

    /// fallocate reads "64GB" as 64×10⁹ bytes (59.6 GiB, under the gate) while an operator may
    /// mean 64 GiB: decimal units are refused as ambiguous, and binary ones are normalized so
    /// what was validated is what fallocate allocates.
    @Test func swapSizesAreNormalizedToFallocatesBinaryForm() {
        if case .success = Validate.swapSize("64GB") { Issue.record("the ambiguous 64GB was accepted") }
        #expect(Validate.swapSize("64gib") == .success("64G"))
        #expect(Validate.swapSize("1T") == .success("1024G"))
        #expect(Validate.swapSize("1024M") == .success("1G"))
        #expect(Validate.swapSize("1536M") == .success("1536M"))
        if case .success = Validate.swapSize("512M") { Issue.record("a swapfile under 1G was accepted") }
    }

    @Test func humanRendering() {
        #expect(ByteSize.human(kiB: 16 * 1024 * 1024 - 4) == "16G")
        #expect(ByteSize.human(kiB: 1_782_580) == "1.7G")
        #expect(ByteSize.human(bytes: 230 * ByteSize.miB) == "230M")
        #expect(ByteSize.human(bytes: 3) == "3B")
    }
}

/// A host that only serves fixed file contents; anything else fails closed.
final class FixedFileHost: Host {
    let files: [String: String]
    init(files: [String: String]) { self.files = files }
    let name = "fixed"
    let isPractice = true
    let invoker = "nobody"
    func readFile(_ path: String) -> String? { files[path] }
    func fileInfo(_ path: String) -> FileInfo? { nil }
    func which(_ program: String) -> String? { nil }
    func lookupUser(_ name: String) -> UserInfo? { nil }
    func run(_ command: Command, onOutput: ((String) -> Void)?) throws -> CommandResult {
        CommandResult(exitStatus: 127, output: "not available in this test\n")
    }
}
