/// apt-get / ufw / mosh on the simulated Spark (Step 1). Filled in with Step 1.
extension SimulatedSpark {
    mutating func simulatePackages(_ name: String, _ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }
}
