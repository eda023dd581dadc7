/// tmux / pkill / pgrep on the simulated Spark (Steps 2 and 5). Filled in with Step 2.
extension SimulatedSpark {
    mutating func simulateTmux(_ name: String, _ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }
}
