/// Steps 1–5's commands on the simulated Spark. (Filled in with Steps 1–5.)
extension SimulatedSpark {
    mutating func simulatePackages(_ name: String, _ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }

    mutating func simulateSystemd(_ name: String, _ args: [String], as user: String, input: String?) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }

    mutating func simulateTmux(_ name: String, _ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }

    mutating func simulateDocker(_ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `docker` is not simulated yet\n")
    }

    func simulateHTTP(_ name: String, _ args: [String]) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }

    mutating func simulateTailscale(_ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `tailscale` is not simulated yet\n")
    }
}
