@testable import Phase0Parsers
import Testing
import Foundation

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
}
