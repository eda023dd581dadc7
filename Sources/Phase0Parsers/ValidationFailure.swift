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
