/// Sizes as operators write them: `128G`, `64GiB`, `512M`: binary units, as fallocate reads
/// G and GiB. `GB`-style decimal units are refused as ambiguous rather than guessed.
public enum ByteSize {
    public static let kiB: Int64 = 1024
    public static let miB: Int64 = 1024 * 1024
    public static let giB: Int64 = 1024 * 1024 * 1024

    /// Parses a size into bytes, or explains why it cannot.
    public static func parse(_ text: String) -> Result<Int64, ValidationFailure> {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .failure(.init("a size is required, like 128G")) }
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let number = Int64(digits) else {
            return .failure(.init("\"\(trimmed)\" is not a size: write a whole number and a unit, like 128G"))
        }
        let unit = trimmed.dropFirst(digits.count).uppercased()
        let multiplier: Int64
        switch unit {
        case "G", "GIB": multiplier = giB
        case "M", "MIB": multiplier = miB
        case "T", "TIB": multiplier = 1024 * giB
        case "KB", "MB", "GB", "TB":
            // fallocate (util-linux) reads GB as 1000^3: "64GB" would be ~59.6G, under the gate.
            let binary = "\(digits)\(unit.prefix(1))"
            return .failure(
                .init(
                    "\"\(trimmed)\" is ambiguous: fallocate reads \(unit) as powers of 1000 (64GB is about 59.6G). Write \(binary) (or \(binary)iB) for binary units, as the guide's 128G"
                ))
        case "":
            return .failure(.init("\"\(trimmed)\" has no unit: write 128G, 512M or 1T"))
        default:
            return .failure(.init("\"\(trimmed)\" has an unknown unit \"\(unit)\": use M, G or T (binary, as fallocate)"))
        }
        guard number > 0 else { return .failure(.init("the size must be more than zero")) }
        guard number <= (16 * 1024 * giB) / multiplier else { return .failure(.init("\"\(trimmed)\" is larger than 16T")) }
        return .success(number * multiplier)
    }

    /// `1.7G`-style rendering, like `free -h`.
    public static func human(bytes: Int64) -> String {
        let units: [(String, Int64)] = [("T", 1024 * giB), ("G", giB), ("M", miB), ("K", kiB)]
        for (suffix, size) in units where bytes >= size {
            let tenths = (bytes * 10 + size / 2) / size
            return tenths % 10 == 0 || tenths >= 1000 ? "\(tenths / 10)\(suffix)" : "\(tenths / 10).\(tenths % 10)\(suffix)"
        }
        return "\(bytes)B"
    }

    public static func human(kiB value: Int64) -> String { human(bytes: value * kiB) }
}
