import Phase0Parsers

/// Decodes the resume file once, and in the same pass learns which keys the model asked for:
/// a key it never asked for would be dropped at the next save (a typo, or a newer phase0's
/// data), so the caller refuses the file instead (`firstUnknownKey`). Errors are Swift's
/// DecodingErrors, with the coding path, as JSONDecoder's are (describeDecodingError words them).
struct StateDecoder {
    var userInfo: [CodingUserInfoKey: Any] = [:]
    private var root: JSONNode = .null

    init(userInfo: [CodingUserInfoKey: Any] = [:]) { self.userInfo = userInfo }

    mutating func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        do { root = try JSONParser.parse(bytes) } catch let syntax as JSONSyntaxError {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not valid JSON: \(syntax.description)"))
        }
        return try NodeDecoder(node: root, codingPath: [], userInfo: userInfo).decode(type)
    }

    /// The first key (sorted, depth first) of the last document that the model never read;
    /// a key whose value is null counts as absent.
    func firstUnknownKey() -> (key: String, path: String)? { JSONObject.firstUnusedKey(in: root, path: "") }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// One value of the document, where it is.
private struct NodeDecoder: Decoder {
    let node: JSONNode
    let codingPath: [CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func mismatch(_ type: Any.Type) -> DecodingError {
        if case .null = node {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "found null"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(node.kind)"))
    }

    func child(_ node: JSONNode, _ key: CodingKey) -> NodeDecoder {
        NodeDecoder(node: node, codingPath: codingPath + [key], userInfo: userInfo)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = node else { throw mismatch([String: Any].self) }
        return KeyedDecodingContainer(ObjectReader<Key>(decoder: self, object: object))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let elements) = node else { throw mismatch([Any].self) }
        return ArrayReader(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { ValueReader(decoder: self) }

    /// Scalars by their type (compared, not cast); anything else decodes itself from here.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(String.self):
            guard case .string(let text) = node else { throw mismatch(T.self) }
            return unsafeBitCast(text, to: T.self)
        case ObjectIdentifier(Bool.self):
            guard case .bool(let value) = node else { throw mismatch(T.self) }
            return unsafeBitCast(value, to: T.self)
        case ObjectIdentifier(Int.self): return unsafeBitCast(try integer(Int.self), to: T.self)
        case ObjectIdentifier(Int64.self): return unsafeBitCast(try integer(Int64.self), to: T.self)
        case ObjectIdentifier(Int32.self): return unsafeBitCast(try integer(Int32.self), to: T.self)
        case ObjectIdentifier(UInt32.self): return unsafeBitCast(try integer(UInt32.self), to: T.self)
        case ObjectIdentifier(UInt64.self): return unsafeBitCast(try integer(UInt64.self), to: T.self)
        case ObjectIdentifier(Int8.self): return unsafeBitCast(try integer(Int8.self), to: T.self)
        case ObjectIdentifier(Int16.self): return unsafeBitCast(try integer(Int16.self), to: T.self)
        case ObjectIdentifier(UInt.self): return unsafeBitCast(try integer(UInt.self), to: T.self)
        case ObjectIdentifier(UInt8.self): return unsafeBitCast(try integer(UInt8.self), to: T.self)
        case ObjectIdentifier(UInt16.self): return unsafeBitCast(try integer(UInt16.self), to: T.self)
        case ObjectIdentifier(Double.self): return unsafeBitCast(try floating(Double.self), to: T.self)
        case ObjectIdentifier(Float.self): return unsafeBitCast(try floating(Float.self), to: T.self)
        default: return try T(from: self)
        }
    }

    func integer<N: FixedWidthInteger>(_ type: N.Type) throws -> N {
        guard case .number(let text) = node else { throw mismatch(N.self) }
        if let value = N(text) { return value }
        // 1.0 or 1e3 is a whole number too, as JSONDecoder reads it.
        if let double = Double(text), double.isFinite, let value = N(exactly: double) { return value }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "the number \(text) does not fit in \(N.self)"))
    }

    func floating<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        guard case .number(let text) = node else { throw mismatch(F.self) }
        guard let value = F(text), value.isFinite else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "the number \(text) does not fit in \(F.self)"))
        }
        return value
    }
}

private struct ObjectReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let object: JSONObject
    var codingPath: [CodingKey] { decoder.codingPath }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object.value(key.stringValue) != nil }

    func child(_ key: Key) throws -> NodeDecoder {
        guard let node = object.value(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \"\(key.stringValue)\""))
        }
        return decoder.child(node, key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try child(key).node { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

    func superDecoder() throws -> Decoder {
        decoder.child(object.value("super") ?? .null, AnyCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> Decoder { decoder.child(object.value(key.stringValue) ?? .null, key) }
}

private struct ArrayReader: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let elements: [JSONNode]
    var currentIndex = 0
    var codingPath: [CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(decoder: NodeDecoder, elements: [JSONNode]) {
        self.decoder = decoder
        self.elements = elements
    }

    mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array ends here"))
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = elements[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> Decoder { try next() }
}

private struct ValueReader: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.node { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}
