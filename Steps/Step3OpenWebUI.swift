import Phase0Core

/// Step 3: Deploy Open WebUI (memory-limited). (Implemented with issue 3; until then it cannot verify.)
enum OpenWebUIStep {
    static func make() -> Step {
        Step(
            number: 3,
            title: "Deploy Open WebUI (memory-limited)",
            why: "Why: see the guide, Step 3.",
            manual: "See the guide, Step 3.",
            actions: [],
            verify: { _ in [Check(false, "Step 3", "not implemented yet")] }
        )
    }
}
