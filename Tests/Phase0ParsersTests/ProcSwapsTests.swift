@testable import Phase0Parsers
import Testing
import Foundation

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
}
