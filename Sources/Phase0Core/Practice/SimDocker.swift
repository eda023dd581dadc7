/// docker on the simulated Spark (Steps 3 and 5). Filled in with Step 3.
extension SimulatedSpark {
    mutating func simulateDocker(_ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `docker` is not simulated yet\n")
    }
}
