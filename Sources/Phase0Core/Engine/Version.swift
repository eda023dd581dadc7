import Phase0Parsers

/// What `phase0 --version` prints: the version, the architecture, and the build (compiler and
/// commit), e.g. `0.1.0 aarch64, Swift 6.0.3, commit 0f0a67b1c2d3`.
///
/// The build is stamped into the linked binary by `.ci/build-release`: it overwrites the blanks
/// between the braces of `stampField` in the file (same length, so nothing else moves). That
/// costs no rebuild, needs no generated source and leaves the work tree clean. A binary built any
/// other way says its build is not stamped.
public enum Phase0Version {
    public static let number = "0.1.0"

    public static var current: String { "\(number) \(architecture), \(build)" }

    public static var architecture: String {
        #if arch(arm64)
        return "aarch64"
        #elseif arch(x86_64)
        return "x86_64"
        #else
        return "unknown architecture"
        #endif
    }

    /// The stamped text, or "build not stamped".
    public static var build: String { stampValue(stampField()) ?? "build not stamped (not built by .ci/build-release)" }

    /// The text between the braces with its padding removed; nil when blank or malformed.
    static func stampValue(_ field: String) -> String? {
        guard let open = field.firstIndex(of: "{"), let close = field.lastIndex(of: "}"), open < close else { return nil }
        var value = field[field.index(after: open)..<close]
        while value.last == " " { value.removeLast() }
        return value.isEmpty ? nil : String(value)
    }

    /// Kept opaque so the optimizer cannot fold the literal away: the bytes in the binary are
    /// what is read. The marker and the 160 blanks are what .ci/build-release looks for.
    @inline(never) @_optimize(none)
    static func stampField() -> String {
        "PHASE0-BUILD-STAMP{                                                                                                                                                                }"
    }
}
