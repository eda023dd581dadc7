import FoundationEssentials
import Phase0Practice
import Phase0Steps
import Phase0Core

/// Everything the wizard says, kept for assertions.
public final class CapturedOutput: Output {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
}

/// Lines given in advance (tests, `--answers` replays). When they run out it is end of
/// input, so a test that forgot an answer stops instead of agreeing to anything.
public final class ScriptedLineReader: LineReader {
    public private(set) var remaining: [String]
    public private(set) var prompts: [String] = []
    public init(_ lines: [String]) { remaining = lines }
    public func readLine(prompt: String, completion: Completion) throws -> String? {
        prompts.append(prompt)
        guard !remaining.isEmpty else { return nil }
        return remaining.removeFirst()
    }
}

/// A line reader that lets the test play the operator: each answer may first do something
/// (detach from tmux, enable HTTPS in the admin page) before it is typed.
public final class OperatorScript: LineReader {
    public var steps: [(line: String, before: (() -> Void)?)]
    public private(set) var prompts: [String] = []
    public init(_ steps: [(String, (() -> Void)?)]) { self.steps = steps.map { (line: $0.0, before: $0.1) } }
    public func readLine(prompt: String, completion: Completion) throws -> String? {
        prompts.append(prompt)
        guard !steps.isEmpty else { return nil }
        let next = steps.removeFirst()
        next.before?()
        return next.line
    }
}

extension Phase0Core.Progress {
    /// Decodes a resume file as the practice factory does, its simulated machine included
    /// (a live file decodes the same way: it has no machine).
    public static func decodePractice(_ data: Data) throws -> Phase0Core.Progress {
        let decoder = JSONDecoder()
        decoder.userInfo[.hostSnapshotType] = SimulatedSpark.self
        return try decoder.decode(Phase0Core.Progress.self, from: data)
    }

    /// The simulated Spark saved with a practice run.
    public var spark: SimulatedSpark? {
        get { machine as? SimulatedSpark }
        set { machine = newValue }
    }
}

/// The guide's value for every answer key that has one (from the one table, AnswerKey).
public var guideDefaultAnswers: [String: String] {
    var answers: [String: String] = [:]
    for key in AnswerKey.allCases { if let value = key.value(in: [:]) { answers[key.rawValue] = value } }
    return answers
}
