import Phase0Parsers

/// The one meaning of each key at every prompt: y yes, n no, s skip, e explain, ? help,
/// q quit. A prompt offers the keys that make sense there; anything else is asked again,
/// never taken as "no" (and end of input is never "yes").
public enum PromptKey: String, CaseIterable, Sendable {
    case yes = "y"
    case no = "n"
    case skip = "s"
    case explain = "e"
    case help = "?"
    case quit = "q"

    var word: String {
        switch self {
        case .yes: return "yes"
        case .no: return "no"
        case .skip: return "skip"
        case .explain: return "explain"
        case .help: return "help"
        case .quit: return "quit"
        }
    }

    /// The key a typed line means among `offered`, or nil when it means none of them.
    public static func parse(_ raw: String, among offered: [PromptKey]) -> PromptKey? {
        let typed = raw.trimmingWhitespace().lowercased()
        return offered.first { typed == $0.rawValue || typed == $0.word }
    }

    /// `[y]es / [n]o / [e]xplain / [?] help / [q]uit`, in the order offered.
    public static func menu(_ offered: [PromptKey]) -> String {
        offered.map { $0 == .help ? "[?] help" : "[\($0.rawValue)]\($0.word.dropFirst())" }.joined(separator: " / ")
    }

    /// What Tab completes at such a prompt.
    public static func completion(_ offered: [PromptKey]) -> Completion {
        .choices(offered.filter { $0 != .help }.map(\.word))
    }

    /// What to say when a line meant none of the offered keys.
    public static func reask(_ offered: [PromptKey]) -> String {
        let keys = offered.map(\.rawValue)
        return "Please answer " + keys.dropLast().joined(separator: ", ") + " or " + keys.last! + "."
    }
}

/// A yes/no value in an answers or resume file (`yes`, `no`, and the usual spellings).
public func yesNo(_ text: String) -> String? {
    switch text.trimmingWhitespace().lowercased() {
    case "y", "yes", "true": return "yes"
    case "n", "no", "false": return "no"
    default: return nil
    }
}
