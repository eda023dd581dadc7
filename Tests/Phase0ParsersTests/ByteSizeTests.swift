@testable import Phase0Parsers
import Testing
import Foundation

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

    @Test func humanRendering() {
        #expect(ByteSize.human(kiB: 16 * 1024 * 1024 - 4) == "16G")
        #expect(ByteSize.human(kiB: 1_782_580) == "1.7G")
        #expect(ByteSize.human(bytes: 230 * ByteSize.miB) == "230M")
        #expect(ByteSize.human(bytes: 3) == "3B")
    }
}
