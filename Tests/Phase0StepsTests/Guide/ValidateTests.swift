@testable import Phase0Steps
import Testing

/// The rules every answer passes before it is used.
@Suite struct ValidateTests {
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
}
