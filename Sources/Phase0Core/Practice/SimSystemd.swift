/// systemctl / journalctl / systemd-analyze on the simulated Spark (Step 2). Filled in with Step 2.
extension SimulatedSpark {
    mutating func simulateSystemd(_ name: String, _ args: [String], as user: String, input: String?) -> CommandResult {
        .init(exitStatus: 127, output: "phase0 practice: `\(name)` is not simulated yet\n")
    }
}
