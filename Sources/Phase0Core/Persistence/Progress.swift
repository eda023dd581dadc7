import Phase0Parsers

/// Where the procedure stands, as written to the resume file after every action.
public struct Progress: Codable, Equatable {
    public static let currentFormat = 1

    public var format: Int
    public var mode: RunMode
    public var answers: [String: String]
    public var steps: [StepRecord]
    /// The simulated Spark of a practice run; kept with the progress so practice resumes too.
    public var machine: (any HostSnapshot)?
    public var updatedAt: String

    public init(mode: RunMode, stepCount: Int, machine: (any HostSnapshot)?, now: String) {
        format = Progress.currentFormat
        self.mode = mode
        answers = [:]
        steps = (0..<stepCount).map { StepRecord(number: $0) }
        self.machine = machine
        updatedAt = now
    }

    public func step(_ number: Int) -> StepRecord? { steps.first { $0.number == number } }

    /// Changes a step's record. A note can quote commands and their output: it is redacted
    /// here, once, when it is recorded, rather than at every save.
    mutating func updateStep(_ number: Int, _ change: (inout StepRecord) -> Void) {
        if let index = steps.firstIndex(where: { $0.number == number }) {
            let note = steps[index].note
            change(&steps[index])
            if steps[index].note != note { steps[index].note = steps[index].note.map(Redactor.redact) }
        } else {
            var record = StepRecord(number: number)
            change(&record)
            record.note = record.note.map(Redactor.redact)
            steps.append(record)
            steps.sort { $0.number < $1.number }
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case format, mode, answers, steps, machine, updatedAt
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        format = try container.decode(Int.self, forKey: .format)
        guard format == Progress.currentFormat else {
            throw StateFileProblem.unsupportedFormat(format)
        }
        mode = try container.decode(RunMode.self, forKey: .mode)
        answers = try container.decode([String: String].self, forKey: .answers)
        steps = try container.decode([StepRecord].self, forKey: .steps)
        updatedAt = try container.decode(String.self, forKey: .updatedAt)
        let hasMachine = container.contains(.machine)
        if mode == .practice && !hasMachine { throw StateFileProblem.inconsistent("a practice run without its simulated machine") }
        if mode == .live && hasMachine { throw StateFileProblem.inconsistent("a live run that holds a simulated machine") }
        // Only the factory that makes this kind of host knows its snapshot; a live run reading
        // a practice file leaves it aside and says the modes differ.
        if let type = decoder.userInfo[.hostSnapshotType] as? any HostSnapshot.Type, hasMachine {
            machine = try container.decode(type, forKey: .machine)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(mode, forKey: .mode)
        try container.encode(answers, forKey: .answers)
        try container.encode(steps, forKey: .steps)
        if let machine { try container.encode(machine, forKey: .machine) }
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    public static func == (lhs: Progress, rhs: Progress) -> Bool {
        guard lhs.format == rhs.format, lhs.mode == rhs.mode, lhs.answers == rhs.answers,
            lhs.steps == rhs.steps, lhs.updatedAt == rhs.updatedAt
        else { return false }
        switch (lhs.machine, rhs.machine) {
        case (nil, nil): return true
        case (let left?, let right?): return left.isSame(as: right)
        default: return false
        }
    }
}

extension CodingUserInfoKey {
    /// The `HostSnapshot` type to decode a saved machine as (set by the StateStore).
    public static let hostSnapshotType = CodingUserInfoKey(rawValue: "phase0.hostSnapshotType")!
}

public enum RunMode: String, Codable, Sendable {
    case live
    case practice
}

public enum StepStatus: String, Codable, Sendable {
    case pending
    case inProgress = "in-progress"
    case done
    case skipped
    case failed
}

public enum ActionStatus: String, Codable, Sendable {
    /// Started and not known to have finished: after a crash, re-checked before anything else.
    case inFlight = "in-flight"
    case done
    /// Its check said the effect was already in place, so nothing ran.
    case alreadyDone = "already-done"
    case failed
    /// Ctrl-C arrived while its command ran: the outcome is unknown until re-checked.
    case interrupted
    case skipped
}

public struct StepRecord: Codable, Equatable {
    public var number: Int
    public var status: StepStatus
    public var note: String?
    public var actions: [ActionRecord]

    public init(number: Int) {
        self.number = number
        status = .pending
        actions = []
    }

    public func action(_ id: String) -> ActionRecord? { actions.first { $0.id == id } }

    /// Changes an action's record; its note is redacted when recorded, as a step's is.
    mutating func updateAction(_ id: String, _ change: (inout ActionRecord) -> Void) {
        if let index = actions.firstIndex(where: { $0.id == id }) {
            let note = actions[index].note
            change(&actions[index])
            if actions[index].note != note { actions[index].note = actions[index].note.map(Redactor.redact) }
        } else {
            var record = ActionRecord(id: id)
            change(&record)
            record.note = record.note.map(Redactor.redact)
            actions.append(record)
        }
    }
}

public struct ActionRecord: Codable, Equatable {
    public var id: String
    public var status: ActionStatus?
    public var note: String?
    /// How many times its commands were started; more than one means a re-run after a cut.
    public var attempts: Int
    public var startedAt: String?
    public var finishedAt: String?
    /// The file this action creates: its path, recorded before the commands run, and its
    /// identity (inode, size) once they ran. Only a file recorded here, at this path, with
    /// this identity, is phase0's own to format (Step 0's swapfile).
    public var made: MadeFile?
    /// Every command its attempts ran, with result and time: what `phase0 runbook` hands out.
    /// Optional so resume files written before it still load.
    public var commands: [CommandRecord]?

    public init(id: String) {
        self.id = id
        attempts = 0
    }
}

/// A file phase0 created. `inode` and `size` are nil while its creating command is in flight:
/// a cut there leaves only the path, which proves the file was absent when phase0 started.
public struct MadeFile: Codable, Equatable, Sendable {
    public var path: String
    public var inode: UInt64?
    public var size: Int64?
    public init(path: String, inode: UInt64? = nil, size: Int64? = nil) {
        self.path = path
        self.inode = inode
        self.size = size
    }
}

/// One command an action ran, as the operator would type it (secrets masked when recorded).
public struct CommandRecord: Codable, Equatable {
    /// The argv that ran (with sudo when it ran as root), each element as is.
    public var argv: [String]
    /// What it read on stdin: a file's new content.
    public var input: String?
    /// Whether it changes the machine (a probe does not).
    public var changes: Bool
    public var exitStatus: Int32
    public var at: String
    /// Which attempt of the action ran it (1 unless a cut made phase0 run the action again).
    public var attempt: Int
    public init(argv: [String], input: String?, changes: Bool, exitStatus: Int32, at: String, attempt: Int) {
        self.argv = argv
        self.input = input
        self.changes = changes
        self.exitStatus = exitStatus
        self.at = at
        self.attempt = attempt
    }
}

/// What is wrong with a resume, answers or scenario file, worded for the operator.
public enum StateFileProblem: Error, Equatable, CustomStringConvertible {
    case unsupportedFormat(Int)
    case inconsistent(String)
    case unknownKey(String, path: String)

    public var description: String {
        switch self {
        case .unsupportedFormat(let format):
            return "it has format version \(format), but this phase0 reads version \(Progress.currentFormat) (written by a newer phase0?)"
        case .inconsistent(let what): return "it describes \(what)"
        case .unknownKey(let key, let path): return "unknown key \"\(key)\"" + (path.isEmpty ? "" : " in \(path)")
        }
    }
}

package struct AnyCodingKey: CodingKey {
    package var stringValue: String
    package var intValue: Int?
    package init(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Unknown keys in a file we read are refused: a typo must not silently mean "default".
package func rejectUnknownKeys(_ decoder: Decoder, known: [String]) throws {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    for key in container.allKeys where !known.contains(key.stringValue) {
        let path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        throw StateFileProblem.unknownKey(key.stringValue, path: path)
    }
}
