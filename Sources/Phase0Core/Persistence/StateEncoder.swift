import Phase0Parsers

/// The resume file's JSON: compact, keys sorted (equal progress, equal bytes), written straight
/// to bytes. It remembers, place by place (by coding path), the value it last encoded there and
/// the bytes it made: an equal value is copied, not encoded again. So a save encodes what
/// changed since the save before, however many commands ran so far (issue 14); what it writes
/// (notes, the practice machine's history) was redacted once, when it was recorded.
///
/// What the encoded types must promise: equal values (==) encode the same. Every synthesized ==
/// does; so does the one hand-written == of a type in the resume file (Progress, every field).
final class StateEncoder {
    private let root = Memo()

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try encode(value, at: root, parent: nil, key: nil)
    }

    fileprivate func encode<T: Encodable>(_ value: T, at memo: Memo, parent: ValueEncoder?, key: CodingKey?) throws -> [UInt8] {
        if T.self == String.self {
            // Strings are remembered too: a long history is a long array of them.
            let string = unsafeBitCast(value, to: String.self)
            if let previous = memo.value as? String, previous == string { return memo.bytes }
            memo.remember(string, JSON.string(string))
            return memo.bytes
        }
        if let scalar = try JSON.scalar(value) {
            WorkMeter.current?.encodedBytes += scalar.count
            return scalar
        }
        if let previous = memo.value, let equatable = value as? any Equatable, equatable.isEqual(to: previous) {
            return memo.bytes
        }
        let encoder = ValueEncoder(writer: self, memo: memo, parent: parent, key: key)
        try value.encode(to: encoder)
        memo.remember(value, encoder.bytes(), counted: false)
        return memo.bytes
    }
}

/// What was encoded at one place, and the places inside it.
private final class Memo {
    var value: Any?
    var bytes: [UInt8] = []
    private var fields: [String: Memo] = [:]
    private var elements: [Memo] = []

    func remember(_ value: Any, _ bytes: [UInt8], counted: Bool = true) {
        self.value = value
        self.bytes = bytes
        if counted { WorkMeter.current?.encodedBytes += bytes.count }
    }

    func field(_ key: String) -> Memo {
        if let memo = fields[key] { return memo }
        let memo = Memo()
        fields[key] = memo
        return memo
    }

    func element(_ index: Int) -> Memo {
        while elements.count <= index { elements.append(Memo()) }
        return elements[index]
    }
}

extension Equatable {
    fileprivate func isEqual(to other: Any) -> Bool { (other as? Self) == self }
}

/// JSON text of scalars.
enum JSON {
    static func string(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        out.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += [0x5c, 0x22]
            case 0x5c: out += [0x5c, 0x5c]
            case 0x0a: out += [0x5c, 0x6e]
            case 0x0d: out += [0x5c, 0x72]
            case 0x09: out += [0x5c, 0x74]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5c, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return out
    }

    /// Numbers and booleans; nil for anything else. Types are compared, not cast: a dynamic
    /// cast per value and type tried cost more than the encoding.
    static func scalar<T>(_ value: T) throws -> [UInt8]? {
        func text<N: BinaryInteger>(_ type: N.Type) -> [UInt8] { Array(String(unsafeBitCast(value, to: N.self)).utf8) }
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(Bool.self): return Array((unsafeBitCast(value, to: Bool.self) ? "true" : "false").utf8)
        case ObjectIdentifier(Int.self): return text(Int.self)
        case ObjectIdentifier(Int64.self): return text(Int64.self)
        case ObjectIdentifier(Int32.self): return text(Int32.self)
        case ObjectIdentifier(UInt32.self): return text(UInt32.self)
        case ObjectIdentifier(UInt64.self): return text(UInt64.self)
        case ObjectIdentifier(Int8.self): return text(Int8.self)
        case ObjectIdentifier(Int16.self): return text(Int16.self)
        case ObjectIdentifier(UInt.self): return text(UInt.self)
        case ObjectIdentifier(UInt8.self): return text(UInt8.self)
        case ObjectIdentifier(UInt16.self): return text(UInt16.self)
        case ObjectIdentifier(Double.self): return try number(unsafeBitCast(value, to: Double.self))
        case ObjectIdentifier(Float.self):
            let float = unsafeBitCast(value, to: Float.self)
            return try number(Double(float), shown: float.description)
        default: return nil
        }
    }

    static func number(_ value: Double, shown: String? = nil) throws -> [UInt8] {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number"))
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return Array(String(Int64(value)).utf8) }
        return Array((shown ?? value.description).utf8)
    }

    static let null = Array("null".utf8)
}

/// One composite value being encoded: an object, an array, or a single value.
private final class ValueEncoder: Encoder {
    enum Part {
        case bytes([UInt8])
        case nested(ValueEncoder)
    }
    enum Shape { case object, array, single }

    let writer: StateEncoder
    let memo: Memo
    let parent: ValueEncoder?
    let key: CodingKey?
    var shape = Shape.object
    var fields: [(key: String, part: Part)] = []
    var elements: [Part] = []
    var single: [UInt8]?

    init(writer: StateEncoder, memo: Memo, parent: ValueEncoder?, key: CodingKey?) {
        self.writer = writer
        self.memo = memo
        self.parent = parent
        self.key = key
    }

    var codingPath: [CodingKey] { (parent?.codingPath ?? []) + (key.map { [$0] } ?? []) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        shape = .object
        return KeyedEncodingContainer(ObjectWriter<Key>(encoder: self))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        shape = .array
        return ArrayWriter(encoder: self)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        shape = .single
        return SingleWriter(encoder: self)
    }

    /// A child of this value, at `key` (objects) or at the next index (arrays).
    func encodeChild<T: Encodable>(_ value: T, key: CodingKey) throws -> [UInt8] {
        let memo = shape == .array ? memo.element(elements.count) : memo.field(key.stringValue)
        return try writer.encode(value, at: memo, parent: self, key: key)
    }

    func nested(_ key: CodingKey) -> ValueEncoder {
        ValueEncoder(writer: writer, memo: Memo(), parent: self, key: key)
    }

    func bytes() -> [UInt8] {
        func text(_ part: Part) -> [UInt8] {
            switch part {
            case .bytes(let bytes): return bytes
            case .nested(let encoder): return encoder.bytes()
            }
        }
        var out: [UInt8] = []
        switch shape {
        case .single:
            return single ?? JSON.null
        case .array:
            out.append(0x5b)
            for (index, part) in elements.enumerated() {
                if index > 0 { out.append(0x2c) }
                out += text(part)
            }
            // Copied, not encoded: the elements' bytes are remembered (what stays linear in the
            // length of the history is this copy and the write, not the encoding).
            out.append(0x5d)
        case .object:
            out.append(0x7b)
            for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(0x2c) }
                let key = JSON.string(field.key)
                WorkMeter.current?.encodedBytes += key.count + 2
                out += key
                out.append(0x3a)
                out += text(field.part)
            }
            out.append(0x7d)
        }
        return out
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct ObjectWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    func add(_ key: Key, _ bytes: [UInt8]) { encoder.fields.append((key.stringValue, .bytes(bytes))) }

    mutating func encodeNil(forKey key: Key) throws { add(key, JSON.null) }
    // The generic method stands for every scalar one too (encode(_: Bool, forKey:)...).
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { add(key, try encoder.encodeChild(value, key: key)) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<
        NestedKey
    > {
        let child = encoder.nested(key)
        encoder.fields.append((key.stringValue, .nested(child)))
        return child.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = encoder.nested(key)
        encoder.fields.append((key.stringValue, .nested(child)))
        return child.unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { superEncoder(key: "super") }
    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(key: key.stringValue) }

    private func superEncoder(key: String) -> Encoder {
        let child = encoder.nested(AnyCodingKey(stringValue: key))
        encoder.fields.append((key, .nested(child)))
        return child
    }
}

private struct ArrayWriter: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [CodingKey] { encoder.codingPath }
    var count: Int { encoder.elements.count }

    mutating func encodeNil() throws { encoder.elements.append(.bytes(JSON.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.elements.append(.bytes(try encoder.encodeChild(value, key: IndexKey(count))))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = encoder.nested(IndexKey(count))
        encoder.elements.append(.nested(child))
        return child.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = encoder.nested(IndexKey(count))
        encoder.elements.append(.nested(child))
        return child.unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let child = encoder.nested(IndexKey(count))
        encoder.elements.append(.nested(child))
        return child
    }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.single = JSON.null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        // The same place as the value that wraps it (a raw value, an enum's payload).
        encoder.single = try encoder.writer.encode(value, at: encoder.memo, parent: encoder.parent, key: encoder.key)
    }
}
