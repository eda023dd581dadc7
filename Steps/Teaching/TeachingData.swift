/// The teaching files embedded from `Steps/Teaching/` at build time (Sources/EmbedDataPlugin):
/// `Drills/NAME.json` (one drill each, see README "Teaching") and `Scenarios/NAME.json` (the
/// practice scenarios). A copied binary carries them all; the code that reads them is in
/// Phase0Practice (Scenario, Drill).
public enum EmbeddedTeachingData {
    /// The drills' names, sorted.
    public static var drillNames: [String] { names(in: "drills") }
    /// The built-in practice scenarios' names, sorted.
    public static var scenarioNames: [String] { names(in: "scenarios") }

    public static func drill(_ name: String) -> String? { all["drills/" + name] }
    public static func scenario(_ name: String) -> String? { all["scenarios/" + name] }

    static func names(in folder: String) -> [String] {
        all.keys.filter { $0.hasPrefix(folder + "/") }.map { String($0.dropFirst(folder.count + 1)) }.sorted()
    }
}
