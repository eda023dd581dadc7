import FoundationEssentials

/// Any JSON value, to compare a file's keys with what its decoded model writes back.
/// Synthesized decoders silently ignore keys they do not know; for the resume file that
/// would mean a typo, or data from a newer phase0, vanishes at the next save.
public enum JSONValue: Codable, Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {  // which JSON type it is: each try asks one
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The first key (sorted, depth first) present in `data` but absent from `model`'s own
    /// encoding; a key whose value is null counts as absent.
    public static func firstUnknownKey<T: Encodable>(in data: Data, comparedTo model: T) throws -> (key: String, path: String)? {
        let given = try JSONDecoder().decode(JSONValue.self, from: data)
        let known = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(model))
        return given.firstKey(notIn: known, path: "")
    }

    private func firstKey(notIn known: JSONValue, path: String) -> (key: String, path: String)? {
        switch (self, known) {
        case (.object(let mine), .object(let theirs)):
            for key in mine.keys.sorted() {
                guard let value = mine[key] else { continue }
                guard let counterpart = theirs[key] else {
                    if value == .null { continue }
                    return (key, path)
                }
                if let found = value.firstKey(notIn: counterpart, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        case (.array(let mine), .array(let theirs)) where mine.count == theirs.count:
            for (index, (value, counterpart)) in zip(mine, theirs).enumerated() {
                if let found = value.firstKey(notIn: counterpart, path: "\(path)[\(index)]") { return found }
            }
        default:
            break
        }
        return nil
    }
}
