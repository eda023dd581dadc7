import Phase0Parsers

/// The wizard's longer sentences, in one place.
public enum Messages {
    public static func practiceBanner(_ name: String) -> String {
        """
        PRACTICE MODE on \(name): a simulated DGX Spark. Nothing on this computer is changed;
        every command is shown as it would run on a real Spark, then applied to the simulation.
        """
    }

    public static let dryRunBanner = """
        DRY RUN: read-only checks run; every command that would change the machine is printed,
        not run. Later checks see the machine as it is now, not as the printed commands would leave it.
        """

    public static func progressKept(_ path: String?) -> String {
        guard let path else { return "Nothing was saved (dry run)." }
        return "Progress is saved in \(path). Run phase0 again to resume where it stopped."
    }
}
