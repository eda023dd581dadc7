/// One line of `/proc/swaps`. Sizes are in KiB, as the kernel reports them.
public struct SwapArea: Sendable, Equatable, Codable {
    public var path: String
    public var type: String
    public var sizeKiB: Int64
    public var usedKiB: Int64
    public var priority: Int

    public init(path: String, type: String = "file", sizeKiB: Int64, usedKiB: Int64 = 0, priority: Int = -2) {
        self.path = path
        self.type = type
        self.sizeKiB = sizeKiB
        self.usedKiB = usedKiB
        self.priority = priority
    }
}

public struct ParseError: Error, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var reason: String
    public var description: String { "\(source) line \(line): \(reason)" }
}

public enum ProcSwaps {
    /// Parses `/proc/swaps`: a header line, then `Filename Type Size Used Priority`.
    /// The kernel escapes spaces in paths as `\040`; those are decoded.
    public static func parse(_ text: String) throws -> [SwapArea] {
        var areas: [SwapArea] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            if index == 0 && fields.first == "Filename" { continue }
            guard fields.count == 5 else {
                throw ParseError(source: "/proc/swaps", line: index + 1, reason: "expected 5 fields, found \(fields.count)")
            }
            guard let size = Int64(fields[2]), let used = Int64(fields[3]), let priority = Int(fields[4]),
                  size >= 0, used >= 0
            else { throw ParseError(source: "/proc/swaps", line: index + 1, reason: "size, used and priority must be numbers") }
            areas.append(SwapArea(path: decodeOctalEscapes(String(fields[0])), type: String(fields[1]),
                                  sizeKiB: size, usedKiB: used, priority: priority))
        }
        return areas
    }

    public static func render(_ areas: [SwapArea]) -> String {
        var text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
        for area in areas {
            let path = area.path.replacing(" ", with: "\\040")
            text += "\(path)\t\t\t\t\(area.type)\t\t\(area.sizeKiB)\t\t\(area.usedKiB)\t\t\(area.priority)\n"
        }
        return text
    }
}

/// The fields of `/proc/meminfo` the wizard reports. On the Spark's unified memory "used"
/// misleads; MemAvailable and SwapFree are what tell whether a container can start.
public struct MemInfo: Sendable, Equatable {
    public var memTotalKiB: Int64
    public var memAvailableKiB: Int64
    public var swapTotalKiB: Int64
    public var swapFreeKiB: Int64

    public static func parse(_ text: String) throws -> MemInfo {
        var values: [String: Int64] = [:]
        for (index, line) in text.split(separator: "\n").enumerated() {
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(source: "/proc/meminfo", line: index + 1, reason: "no ':'")
            }
            let key = String(line[..<colon])
            let rest = line[line.index(after: colon)...].split(separator: " ")
            guard let number = rest.first.flatMap({ Int64($0) }), number >= 0 else {
                throw ParseError(source: "/proc/meminfo", line: index + 1, reason: "\(key) has no number")
            }
            values[key] = number
        }
        func need(_ key: String) throws -> Int64 {
            guard let value = values[key] else {
                throw ParseError(source: "/proc/meminfo", line: 0, reason: "\(key) is missing")
            }
            return value
        }
        return MemInfo(memTotalKiB: try need("MemTotal"), memAvailableKiB: try need("MemAvailable"),
                       swapTotalKiB: try need("SwapTotal"), swapFreeKiB: try need("SwapFree"))
    }
}

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
            return .failure(.init("\"\(trimmed)\" is ambiguous: fallocate reads \(unit) as powers of 1000 (64GB is about 59.6G). Write \(binary) (or \(binary)iB) for binary units, as the guide's 128G"))
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

/// A reason a value was refused, worded for the operator.
public struct ValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    /// Set when the value is refused by default but the operator may still choose it by
    /// confirming at the prompt (never from an answers file, never by -y): running the agent
    /// as root, for example.
    public var confirmation: Confirmation?
    public init(_ reason: String) { self.reason = reason }
    public init(_ reason: String, acceptIfConfirmed value: String, question: String) {
        self.reason = reason
        confirmation = Confirmation(value: value, question: question)
    }
    public var description: String { reason }

    public struct Confirmation: Equatable, Sendable {
        public var value: String
        public var question: String
    }
}

extension StringProtocol {
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}

/// `\040`-style escapes, as the kernel writes paths in /proc/swaps and /proc/mounts.
func decodeOctalEscapes(_ text: String) -> String {
    guard text.contains("\\") else { return text }
    var bytes: [UInt8] = []
    let source = Array(text.utf8)
    var i = 0
    while i < source.count {
        if source[i] == UInt8(ascii: "\\"), i + 3 < source.count,
           let value = UInt8(String(decoding: source[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
            bytes.append(value)
            i += 4
        } else {
            bytes.append(source[i])
            i += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
