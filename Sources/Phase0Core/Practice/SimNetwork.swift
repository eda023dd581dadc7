/// curl / ollama / tailscale on the simulated Spark (Steps 2–4, preflight). Filled in with Step 4.
extension SimulatedSpark {
    func simulateHTTP(_ name: String, _ args: [String]) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }

    mutating func simulateTailscale(_ args: [String], as user: String) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `tailscale` is not simulated yet\n")
    }
}
