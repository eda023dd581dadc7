import Phase0Core

/// Step 1: Install mosh. (Implemented with issue 3; until then it cannot verify.)
enum MoshStep {
    static func make() -> Step {
        Step(
            number: 1,
            title: "Install mosh",
            why: "Why: see the guide, Step 1.",
            manual: "See the guide, Step 1.",
            actions: [],
            verify: { _ in [Check(false, "Step 1", "not implemented yet")] }
        )
    }
}
