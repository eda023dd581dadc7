import FoundationEssentials
import Phase0Core
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// How a trainee did at each drill, kept next to the practice state (`drills.json` in its
/// directory), written atomically under a lock like the resume file.
public struct DrillResults: Codable, Equatable {
    public static let currentFormat = 1

    public struct Record: Codable, Equatable {
        public var attempts: Int
        /// Solved at least once (cause named, Spark fixed, fix verified).
        public var done: Bool
        public var best: Int
        public var lastScore: Int
        public var lastCommands: Int
        public var lastAt: String
    }

    public var format = DrillResults.currentFormat
    public var drills: [String: Record] = [:]

    public init() {}

    /// `drills.json` beside the practice resume file.
    public static func path(statePath: String) -> String {
        guard let slash = statePath.lastIndex(of: "/") else { return "drills.json" }
        return String(statePath[...slash]) + "drills.json"
    }

    public static func load(_ path: String) throws -> DrillResults {
        guard access(path, F_OK) == 0 else { return DrillResults() }
        let data = try readInputFile(path, what: "drill results")
        do {
            let results = try JSONDecoder().decode(DrillResults.self, from: data)
            guard results.format == currentFormat else {
                throw InputFileError(path: path, problem: "has format \(results.format); this phase0 reads \(currentFormat)")
            }
            return results
        } catch let error as InputFileError { throw error } catch {
            throw InputFileError(path: path, problem: "is not a drill results file: \(describeDecodingError(error))")
        }
    }

    /// Adds one attempt's result and saves, under the lock (another drill may be saving too).
    public static func record(_ name: String, score: Int, done: Bool, commands: Int, at time: String, path: String) throws -> Record {
        let lock = StateStore(path: path, privateDirectory: false)
        try lock.lock()
        var results = try load(path)
        var record = results.drills[name] ?? Record(attempts: 0, done: false, best: 0, lastScore: 0, lastCommands: 0, lastAt: time)
        record.attempts += 1
        record.done = record.done || done
        record.best = max(record.best, score)
        record.lastScore = score
        record.lastCommands = commands
        record.lastAt = time
        results.drills[name] = record
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(path: path, data: Array(try encoder.encode(results)) + [0x0a], mode: 0o600)
        return record
    }
}
