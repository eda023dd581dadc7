import Phase0Parsers

/// A parsed JSON document for StateDecoder. Objects remember which of their keys the decoded
/// model asked for, so keys it does not know are found in the same pass (issue 14: the resume
/// file used to be decoded twice more, into a generic tree, to compare keys).
indirect enum JSONNode {
    case null
    case bool(Bool)
    /// The number's text, converted when the model says to what (Int64 stays exact).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object(JSONObject)

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

final class JSONObject {
    let keys: [String]
    let values: [JSONNode]
    private(set) var used: [Bool]
    private var index: [String: Int] = [:]

    init(keys: [String], values: [JSONNode]) throws {
        self.keys = keys
        self.values = values
        used = Array(repeating: false, count: keys.count)
        for (position, key) in keys.enumerated() where index.updateValue(position, forKey: key) != nil {
            throw JSONSyntaxError(description: "the key \"\(key)\" appears twice in one object")
        }
    }

    /// The value at `key`, marked as known to the model.
    func value(_ key: String) -> JSONNode? {
        guard let position = index[key] else { return nil }
        used[position] = true
        return values[position]
    }

    /// The first key (sorted, depth first) the model never asked for; a null value counts as absent.
    func firstUnusedKey(path: String) -> (key: String, path: String)? {
        for position in keys.indices.sorted(by: { keys[$0] < keys[$1] }) {
            let key = keys[position]
            if !used[position] {
                if case .null = values[position] { continue }
                return (key, path)
            }
            if let found = JSONObject.firstUnusedKey(in: values[position], path: path.isEmpty ? key : "\(path).\(key)") { return found }
        }
        return nil
    }

    static func firstUnusedKey(in node: JSONNode, path: String) -> (key: String, path: String)? {
        switch node {
        case .object(let object): return object.firstUnusedKey(path: path)
        case .array(let elements):
            for (position, element) in elements.enumerated() {
                if let found = firstUnusedKey(in: element, path: "\(path)[\(position)]") { return found }
            }
            return nil
        default: return nil
        }
    }
}

struct JSONSyntaxError: Error { var description: String }

/// RFC 8259 JSON from bytes: UTF-8 checked, nesting bounded (a hostile file cannot exhaust the
/// stack), nothing after the value but whitespace.
struct JSONParser {
    static let maximumDepth = 256
    private let bytes: [UInt8]
    private var position = 0

    static func parse(_ bytes: [UInt8]) throws -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        let node = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("text after the JSON value") }
        return node
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ what: String) -> JSONSyntaxError { JSONSyntaxError(description: "\(what) at byte \(position)") }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws -> JSONNode {
        guard depth < JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var keys: [String] = []
            var values: [JSONNode] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(try JSONObject(keys: [], values: []))
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
                keys.append(try string())
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                values.append(try value(depth: depth + 1))
                if try endOf(closing: UInt8(ascii: "}")) { return .object(try JSONObject(keys: keys, values: values)) }
            }
        case UInt8(ascii: "["):
            position += 1
            var elements: [JSONNode] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array([])
            }
            while true {
                elements.append(try value(depth: depth + 1))
                if try endOf(closing: UInt8(ascii: "]")) { return .array(elements) }
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return .number(try number())
        }
    }

    /// After an element: true at the closing bracket, false after a comma.
    private mutating func endOf(closing: UInt8) throws -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end") }
        position += 1
        if bytes[position - 1] == closing { return true }
        if bytes[position - 1] == UInt8(ascii: ",") { return false }
        throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    private mutating func literal(_ word: String) throws {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<(position + expected.count)]) == expected else {
            throw error("not a JSON value")
        }
        position += expected.count
    }

    private mutating func number() throws -> String {
        let start = position
        func digits() -> Int {
            let from = position
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) { position += 1 }
            return position - from
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let integer = position
        guard digits() > 0 else { throw error("not a JSON value") }
        if bytes[integer] == UInt8(ascii: "0") && position - integer > 1 { throw error("a number with a leading zero") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("a number without digits after '.'") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("a number without an exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func string() throws -> String {
        position += 1  // the opening quote
        var out: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw error("a string that is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw error("unexpected end") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out += Array(String(try escapedScalar()).utf8)
                default: throw error("an unknown escape")
                }
            case 0..<0x20: throw error("a control character in a string")
            default: out.append(byte)
            }
        }
        throw error("unexpected end")
    }

    /// `\uXXXX`, a surrogate pair as one scalar.
    private mutating func escapedScalar() throws -> Unicode.Scalar {
        func hex4() throws -> UInt32 {
            let hex = position + 4 <= bytes.count ? bytes[position..<(position + 4)] : []
            guard hex.count == 4, hex.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66 || (0x30...0x39).contains($0) }),
                let value = UInt32(String(decoding: hex, as: UTF8.self), radix: 16)
            else { throw error("a bad \\u escape") }
            position += 4
            return value
        }
        let first = try hex4()
        if (0xd800..<0xdc00).contains(first) {
            guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("a lone surrogate")
            }
            position += 2
            let second = try hex4()
            guard (0xdc00..<0xe000).contains(second), let scalar = Unicode.Scalar(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
            else {
                throw error("a lone surrogate")
            }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw error("a lone surrogate") }
        return scalar
    }
}
