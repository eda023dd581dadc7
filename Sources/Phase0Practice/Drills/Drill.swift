import FoundationEssentials
import Phase0Core
import Phase0Parsers
import Phase0TeachingData

/// A drill: a broken Spark taken from the guide's troubleshooting, as data. One JSON file per
/// drill in Steps/Teaching/Drills/ (README "Teaching" shows one written out); the runner
/// (Phase0Teaching) plays any of them. Every key is required unless marked optional, and an
/// unknown key is an error naming the file and the key, so a typo never silently means nothing.
public struct Drill: Decodable, Equatable {
    public var name: String
    public var title: String
    /// The step of the guide the drill belongs to (0–5).
    public var step: Int
    /// One line for `phase0 drill`'s list.
    public var teaches: String
    /// What the trainee is told at the start: the symptom, as an operator would meet it.
    public var story: String
    /// How the simulated Spark (Phase 0 done) is broken, in order.
    public var setup: [SetupStep]
    /// The diagnostic commands worth typing here (shown by `?`).
    public var useful: [String]
    public var expert: Expert
    public var cause: Cause
    public var fix: Fix
    /// Things only a person can do (a web console, a phone), acted out with `pretend NAME`.
    public var pretend: [Pretend]?
    public var verify: Verify
    /// The guide's own text for this case, quoted at the end.
    public var guide: String
    /// Commands an expert needs, diagnosis and fix and check together: the score's yardstick.
    public var par: Int

    public struct Expert: Decodable, Equatable {
        public var first: String
        public var why: String
    }

    public struct Cause: Decodable, Equatable {
        public var question: String
        public var choices: [Choice]
    }

    public struct Choice: Decodable, Equatable {
        public var text: String
        public var correct: Bool
        public var because: String
    }

    public struct Fix: Decodable, Equatable {
        /// The commands that fix it, shown by `hint` (after the cause is named) and at the end.
        public var commands: [String]
        public var solvedWhen: [Condition]
    }

    public struct Pretend: Decodable, Equatable {
        public var name: String
        public var says: String
        public var scenario: Scenario
    }

    public struct Verify: Decodable, Equatable {
        /// Typing any of these once the Spark is fixed ends the drill.
        public var commands: [String]
        public var why: String
    }

    /// One change to the simulated Spark: a command line run as the operator (with `sudo` as
    /// typed), a scenario patch, a reboot, or kernel messages to plant.
    public enum SetupStep: Decodable, Equatable {
        case run(String)
        case scenario(Scenario)
        case reboot
        case kernelLog([String])

        enum Keys: String, CodingKey, CaseIterable { case run, scenario, reboot, kernelLog }

        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: Keys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: Keys.self)
            guard c.allKeys.count == 1, let key = c.allKeys.first else {
                throw DrillProblem("a setup step has exactly one of run, scenario, reboot, kernelLog", at: decoder.codingPath)
            }
            switch key {
            case .run: self = .run(try c.decode(String.self, forKey: .run))
            case .scenario: self = .scenario(try c.decode(Scenario.self, forKey: .scenario))
            case .reboot:
                guard try c.decode(Bool.self, forKey: .reboot) else { throw DrillProblem("reboot must be true", at: decoder.codingPath) }
                self = .reboot
            case .kernelLog: self = .kernelLog(try c.decode([String].self, forKey: .kernelLog))
            }
        }
    }

    /// A fact about the simulated Spark that must hold once the fix is done.
    public indirect enum Condition: Decodable, Equatable {
        /// The command (as the operator, `sudo` as typed) exits with `exitStatus` (default 0)
        /// and its output contains / lacks the given texts.
        case run(String, exitStatus: Int32, contains: String?, lacks: String?)
        /// All of these hold on a copy of the Spark after a reboot: the fix lasts.
        case afterReboot([Condition])
        case anyOf([Condition])
        /// Active swap, in GiB, less one header page per area (the wizard's gate).
        case swapAtLeastGiB(Int)
        /// Open WebUI's container reaches Ollama at the URL it is configured with.
        case webUIReachesOllama

        enum Keys: String, CodingKey, CaseIterable {
            case run, exitStatus, outputContains, outputLacks, afterReboot, anyOf, swapAtLeastGiB, fact
        }

        public init(from decoder: Decoder) throws {
            try rejectUnknownKeys(decoder, known: Keys.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: Keys.self)
            if let line = try c.decodeIfPresent(String.self, forKey: .run) {
                self = .run(
                    line, exitStatus: try c.decodeIfPresent(Int32.self, forKey: .exitStatus) ?? 0,
                    contains: try c.decodeIfPresent(String.self, forKey: .outputContains),
                    lacks: try c.decodeIfPresent(String.self, forKey: .outputLacks))
                return
            }
            guard c.allKeys.count == 1 else {
                throw DrillProblem(
                    "a condition is {run, exitStatus?, outputContains?, outputLacks?} or exactly one of afterReboot, anyOf, swapAtLeastGiB, fact",
                    at: decoder.codingPath)
            }
            if let nested = try c.decodeIfPresent([Condition].self, forKey: .afterReboot) {
                self = .afterReboot(nested)
            } else if let nested = try c.decodeIfPresent([Condition].self, forKey: .anyOf) {
                self = .anyOf(nested)
            } else if let size = try c.decodeIfPresent(Int.self, forKey: .swapAtLeastGiB) {
                self = .swapAtLeastGiB(size)
            } else {
                let fact = try c.decode(String.self, forKey: .fact)
                guard fact == "open-webui-reaches-ollama" else {
                    throw DrillProblem(
                        "unknown fact \"\(fact)\" (known: open-webui-reaches-ollama)",
                        at: decoder.codingPath + [AnyCodingKey(stringValue: "fact")])
                }
                self = .webUIReachesOllama
            }
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, title, step, teaches, story, setup, useful, expert, cause, fix, pretend, verify, guide, par
    }
}

/// What is wrong in a drill file, with where.
public struct DrillProblem: Error, CustomStringConvertible {
    public var description: String
    init(_ what: String, at path: [CodingKey] = []) {
        let joined = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        description = joined.isEmpty ? what : "at \"\(joined)\": \(what)"
    }
}

/// A keyed container that refuses keys `Keys` does not list.
func strictContainer<Keys: CodingKey & CaseIterable & RawRepresentable>(_ decoder: Decoder, _: Keys.Type) throws
    -> KeyedDecodingContainer<Keys> where Keys.RawValue == String
{
    try rejectUnknownKeys(decoder, known: Keys.allCases.map(\.rawValue))
    return try decoder.container(keyedBy: Keys.self)
}

// Every type refuses keys it does not know, like the scenario and answers files.
extension Drill {
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        title = try c.decode(String.self, forKey: .title)
        step = try c.decode(Int.self, forKey: .step)
        teaches = try c.decode(String.self, forKey: .teaches)
        story = try c.decode(String.self, forKey: .story)
        setup = try c.decode([SetupStep].self, forKey: .setup)
        useful = try c.decode([String].self, forKey: .useful)
        expert = try c.decode(Expert.self, forKey: .expert)
        cause = try c.decode(Cause.self, forKey: .cause)
        fix = try c.decode(Fix.self, forKey: .fix)
        pretend = try c.decodeIfPresent([Pretend].self, forKey: .pretend)
        verify = try c.decode(Verify.self, forKey: .verify)
        guide = try c.decode(String.self, forKey: .guide)
        par = try c.decode(Int.self, forKey: .par)
    }
}

extension Drill.Expert {
    enum CodingKeys: String, CodingKey, CaseIterable { case first, why }
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        first = try c.decode(String.self, forKey: .first)
        why = try c.decode(String.self, forKey: .why)
    }
}

extension Drill.Cause {
    enum CodingKeys: String, CodingKey, CaseIterable { case question, choices }
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        question = try c.decode(String.self, forKey: .question)
        choices = try c.decode([Drill.Choice].self, forKey: .choices)
    }
}

extension Drill.Choice {
    enum CodingKeys: String, CodingKey, CaseIterable { case text, correct, because }
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        correct = try c.decode(Bool.self, forKey: .correct)
        because = try c.decode(String.self, forKey: .because)
    }
}

extension Drill.Fix {
    enum CodingKeys: String, CodingKey, CaseIterable { case commands, solvedWhen }
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        commands = try c.decode([String].self, forKey: .commands)
        solvedWhen = try c.decode([Drill.Condition].self, forKey: .solvedWhen)
    }
}

extension Drill.Pretend {
    enum CodingKeys: String, CodingKey, CaseIterable { case name, says, scenario }
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        says = try c.decode(String.self, forKey: .says)
        scenario = try c.decode(Scenario.self, forKey: .scenario)
    }
}

extension Drill.Verify {
    enum CodingKeys: String, CodingKey, CaseIterable { case commands, why }
    public init(from decoder: Decoder) throws {
        let c = try strictContainer(decoder, CodingKeys.self)
        commands = try c.decode([String].self, forKey: .commands)
        why = try c.decode(String.self, forKey: .why)
    }
}
