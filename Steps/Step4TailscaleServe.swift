import Phase0Core

/// Step 4: Expose Open WebUI via Tailscale Serve. (Implemented with issue 3; until then it cannot verify.)
enum TailscaleServeStep {
    static func make() -> Step {
        Step(
            number: 4,
            title: "Expose Open WebUI via Tailscale Serve",
            why: "Why: see the guide, Step 4.",
            manual: "See the guide, Step 4.",
            actions: [],
            verify: { _ in [Check(false, "Step 4", "not implemented yet")] }
        )
    }
}
