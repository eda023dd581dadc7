/// The one reading of a yes/no answer, typed at a prompt or given in an answers file.
public enum YesNo {
    /// true for y/yes/true, false for n/no/false (any case, surrounding space ignored), nil otherwise.
    public static func parse(_ text: String) -> Bool? {
        switch text.trimmingWhitespace().lowercased() {
        case "y", "yes", "true": return true
        case "n", "no", "false": return false
        default: return nil
        }
    }

    /// As the resume file records it: "yes" or "no".
    public static func word(_ value: Bool) -> String { value ? "yes" : "no" }
}
