@testable import Phase0Core
import Testing

@Suite struct LiveWhichTests {
    /// A harmless probe of the real machine: `which` must search PATH (tmux is installed here and in CI).
    @Test func findsProgramsOnPath() {
        let host = LiveHost()
        #expect(host.which("tmux")?.hasSuffix("/tmux") == true)
        #expect(host.which("no-such-program-phase0") == nil)
    }
}
