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
        return MemInfo(
            memTotalKiB: try need("MemTotal"), memAvailableKiB: try need("MemAvailable"),
            swapTotalKiB: try need("SwapTotal"), swapFreeKiB: try need("SwapFree"))
    }
}
