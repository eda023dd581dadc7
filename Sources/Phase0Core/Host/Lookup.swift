import Phase0Parsers

/// What one look at the machine found: the thing, nothing there, or no answer and why. A look
/// that could not be made never reads as "nothing there": a step that gets `.unknown` refuses
/// or says why, and never acts as if the thing were absent (removing, replacing, creating it).
public enum Lookup<Value> {
    case found(Value)
    /// The machine answered: there is no such thing.
    case absent
    /// The machine could not be asked, or its answer could not be read: why, for the operator.
    case unknown(String)

    public var value: Value? {
        if case .found(let value) = self { return value }
        return nil
    }

    /// Why it could not tell, when it could not.
    public var unknownReason: String? {
        if case .unknown(let why) = self { return why }
        return nil
    }

    /// In words for a report or a check: what was found, `absent`, or "cannot tell (why)".
    public func describe(absent: String, found: (Value) -> String) -> String {
        switch self {
        case .found(let value): return found(value)
        case .absent: return absent
        case .unknown(let why): return "cannot tell (\(why))"
        }
    }

    /// nil when found; otherwise what is wrong: `absent`, or `unknown` with the reason.
    public func problem(absent: String, unknown: String) -> String? {
        switch self {
        case .found: return nil
        case .absent: return absent
        case .unknown(let why): return "\(unknown) (\(why))"
        }
    }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> Lookup<T> {
        switch self {
        case .found(let value): return .found(try transform(value))
        case .absent: return .absent
        case .unknown(let why): return .unknown(why)
        }
    }

    public func flatMap<T>(_ transform: (Value) -> Lookup<T>) -> Lookup<T> {
        switch self {
        case .found(let value): return transform(value)
        case .absent: return .absent
        case .unknown(let why): return .unknown(why)
        }
    }
}

extension Lookup: Equatable where Value: Equatable {}
extension Lookup: Sendable where Value: Sendable {}

extension Host {
    /// Runs a read-only probe. Its output when it succeeds; `.absent` when it failed in a way
    /// `absentWhen` recognises as the machine's "no such thing"; any other failure (it could not
    /// start, sudo -n wanted a password, a daemon did not answer, a timeout) is `.unknown`.
    public func probe(_ command: Command, absentWhen: (CommandResult) -> Bool = { _ in false }) -> Lookup<String> {
        let result: CommandResult
        do { result = try run(command) } catch {
            // A Ctrl-C here leaves the interrupt flag raised: the next prompt or command stops the run.
            return .unknown("`\(command.display(invoker: invoker))` could not be run: \(error)")
        }
        if result.succeeded { return .found(result.output) }
        if absentWhen(result) { return .absent }
        let said = result.output.split(separator: "\n").first.map { $0.trimmingWhitespace() } ?? ""
        let why = result.timedOut ? "timed out" : said.isEmpty ? "exit \(result.exitStatus)" : said
        return .unknown("`\(command.display(invoker: invoker))`: \(why)")
    }

    public func probe(
        _ argv: [String], runAs: RunAs = .invoker, timeout: Int? = 30,
        absentWhen: (CommandResult) -> Bool = { _ in false }
    ) -> Lookup<String> {
        probe(Command(argv, runAs: runAs, timeout: timeout), absentWhen: absentWhen)
    }

    /// A file's text: `.absent` when there is no such file, `.unknown` when there is one that
    /// cannot be read (permissions, too large to be a config file).
    public func lookupFile(_ path: String) -> Lookup<String> {
        if let text = readFile(path) { return .found(text) }
        guard let info = fileInfo(path) else { return .absent }
        return .unknown(info.isDirectory ? "\(path) is a directory" : "\(path) exists but cannot be read")
    }
}
