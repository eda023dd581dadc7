import Testing
@testable import Phase0Core

/// `phase0 --version`: the stamp field .ci/build-release overwrites in the linked binary.
@Suite struct VersionTests {
    @Test func aBlankFieldIsNotAStamp() {
        #expect(Phase0Version.stampValue("PHASE0-BUILD-STAMP{" + String(repeating: " ", count: 160) + "}") == nil)
        #expect(Phase0Version.stampValue("PHASE0-BUILD-STAMP{}") == nil)
        #expect(Phase0Version.stampValue("no braces") == nil)
        #expect(Phase0Version.stampValue("}{") == nil)
    }

    @Test func aStampLosesOnlyItsPadding() {
        let text = "Swift 6.0.3 (Debian trixie), commit 0f0a67b1c2d3"
        let field = "PHASE0-BUILD-STAMP{" + text + String(repeating: " ", count: 160 - text.count) + "}"
        #expect(Phase0Version.stampValue(field) == text)
    }

    /// The field in this binary is the one build-release looks for: marker, 160 blanks, brace.
    @Test func theFieldIsWhatBuildReleaseFinds() {
        let field = Phase0Version.stampField()
        #expect(field.hasPrefix("PHASE0-BUILD-STAMP{") && field.hasSuffix("}"))
        #expect(field.utf8.count == "PHASE0-BUILD-STAMP{".utf8.count + 160 + 1)
    }

    @Test func anUnstampedBuildSaysSoAndNamesItsArchitecture() {
        #expect(Phase0Version.build.hasPrefix("build not stamped"))
        #expect(Phase0Version.current.hasPrefix(Phase0Version.number + " " + Phase0Version.architecture + ", "))
        #if arch(x86_64)
        #expect(Phase0Version.architecture == "x86_64")
        #elseif arch(arm64)
        #expect(Phase0Version.architecture == "aarch64")
        #endif
    }
}
