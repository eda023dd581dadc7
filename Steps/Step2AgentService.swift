import Phase0Core

/// Step 2: Run the agent under systemd, in tmux. (Implemented with issue 3; until then it cannot verify.)
enum AgentServiceStep {
    static func make() -> Step {
        Step(
            number: 2,
            title: "Run the agent under systemd, in tmux",
            why: "Why: see the guide, Step 2.",
            manual: "See the guide, Step 2.",
            actions: [],
            verify: { _ in [Check(false, "Step 2", "not implemented yet")] }
        )
    }
}
