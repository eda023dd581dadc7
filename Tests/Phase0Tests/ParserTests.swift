import Testing
import Foundation
@testable import Phase0Core

func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    return try String(contentsOf: url, encoding: .utf8)
}

@Suite struct ProcSwapsTests {
    @Test func parsesTheSparksSwaps() throws {
        let areas = try ProcSwaps.parse(try fixture("proc-swaps-spark.txt"))
        #expect(areas == [SwapArea(path: "/swap.img", type: "file", sizeKiB: 16_777_212, usedKiB: 1_782_580, priority: -2)])
    }

    @Test func aMkswapped64GSwapfilePassesTheGate() {
        // mkswap keeps one 4 KiB page for its header: 64 GiB - 4 KiB.
        let verdict = SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 64 * 1024 * 1024 - 4)])
        #expect(verdict.passes)
        #expect(!SwapGate.evaluate([SwapArea(path: "/swapfile", sizeKiB: 63 * 1024 * 1024)]).passes)
    }
}
