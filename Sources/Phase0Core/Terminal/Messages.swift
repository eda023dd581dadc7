import Phase0Parsers

/// The wizard's longer sentences, in one place.
public enum Messages {
    public static func practiceBanner(_ name: String) -> String {
        """
        PRACTICE MODE on \(name): a simulated DGX Spark. Nothing on this computer is changed; \
        every command is shown as it would run on a real Spark, then applied to the simulation.
        """
    }

    public static func dryRunBanner(_ name: String) -> String {
        """
        DRY RUN on \(name): read-only checks run; every command that would change the machine is \
        printed, not run, and nothing is saved (no progress, no transcript, no history). Later \
        checks see the machine as it is now, not as the printed commands would leave it.
        """
    }
}

extension Messages {
    /// `?` at a prompt: what each offered key does there.
    public static func promptHelp(_ keys: [PromptKey]) -> String {
        let meanings: [PromptKey: String] = [
            .yes: "y  yes: go ahead", .no: "n  no: don't (phase0 says what that means, then asks what next)",
            .skip: "s  skip: leave this out and go on", .explain: "e  explain: why, and the exact commands",
            .help: "?  this help; `phase0 glossary` explains the words", .quit: "q  quit: stop here; progress is kept",
        ]
        return keys.compactMap { meanings[$0].map { "     " + $0 } }.joined(separator: "\n")
    }
}
