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
            areas.append(
                SwapArea(
                    path: decodeOctalEscapes(String(fields[0])), type: String(fields[1]),
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

/// `\040`-style escapes, as the kernel writes paths in /proc/swaps and /proc/mounts.
package func decodeOctalEscapes(_ text: String) -> String {
    guard text.contains("\\") else { return text }
    var bytes: [UInt8] = []
    let source = Array(text.utf8)
    var i = 0
    while i < source.count {
        if source[i] == UInt8(ascii: "\\"), i + 3 < source.count,
            let value = UInt8(String(decoding: source[(i + 1)...(i + 3)], as: UTF8.self), radix: 8)
        {
            bytes.append(value)
            i += 4
        } else {
            bytes.append(source[i])
            i += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
