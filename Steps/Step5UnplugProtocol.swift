import Phase0Core

/// Step 5: The Unplug Protocol (success test). (Implemented with issue 3; until then it cannot verify.)
enum UnplugProtocolStep {
    static func make() -> Step {
        Step(
            number: 5,
            title: "The Unplug Protocol (success test)",
            why: "Why: see the guide, Step 5.",
            manual: "See the guide, Step 5.",
            actions: [],
            verify: { _ in [Check(false, "Step 5", "not implemented yet")] }
        )
    }
}
