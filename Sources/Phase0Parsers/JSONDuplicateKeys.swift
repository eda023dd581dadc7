/// The first key that appears twice in one JSON object, at any depth. JSONDecoder keeps one of
/// the two values without a word, so `{"swapSize": "128G", "swapSize": "64G"}` would mean
/// whichever it keeps; phase0 refuses such a file instead. Keys are compared decoded
/// (`"swap\u0053ize"` is `swapSize`). Text that is not JSON gives nil: the decoder says
/// what is wrong with it.
public enum JSONDuplicateKeys {
    public static func first(in bytes: [UInt8]) -> (key: String, path: String)? {
        var scanner = Scanner(bytes: bytes)
        return try? scanner.value(path: "")
    }

    struct NotJSON: Error {}

    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        /// Nesting deeper than this is not a file phase0 reads; stop rather than recurse on.
        static let maximumDepth = 256
        var depth = 0

        mutating func skipSpaces() {
            while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
        }

        /// Scans one value; returns the first duplicate key inside it.
        mutating func value(path: String) throws -> (key: String, path: String)? {
            skipSpaces()
            guard index < bytes.count else { throw NotJSON() }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(path: path)
            case UInt8(ascii: "["): return try array(path: path)
            case UInt8(ascii: "\""):
                _ = try string()
                return nil
            default:
                // A number or a literal: everything up to the next delimiter.
                let start = index
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                if index == start { throw NotJSON() }
                return nil
            }
        }

        mutating func object(path: String) throws -> (key: String, path: String)? {
            depth += 1
            defer { depth -= 1 }
            if depth > Scanner.maximumDepth { throw NotJSON() }
            index += 1
            var seen: Set<String> = []
            var found: (key: String, path: String)?
            skipSpaces()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return nil
            }
            while true {
                skipSpaces()
                let key = try string()
                if found == nil && !seen.insert(key).inserted { found = (key, path) }
                skipSpaces()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw NotJSON() }
                index += 1
                let inner = try value(path: path.isEmpty ? key : "\(path).\(key)")
                if found == nil { found = inner }
                skipSpaces()
                guard index < bytes.count else { throw NotJSON() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw NotJSON() }
                index += 1
                return found
            }
        }

        mutating func array(path: String) throws -> (key: String, path: String)? {
            depth += 1
            defer { depth -= 1 }
            if depth > Scanner.maximumDepth { throw NotJSON() }
            index += 1
            var found: (key: String, path: String)?
            var position = 0
            skipSpaces()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return nil
            }
            while true {
                let inner = try value(path: "\(path)[\(position)]")
                if found == nil { found = inner }
                position += 1
                skipSpaces()
                guard index < bytes.count else { throw NotJSON() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw NotJSON() }
                index += 1
                return found
            }
        }

        /// A string, decoded (escapes resolved, `\uD83D\uDE00` pairs joined).
        mutating func string() throws -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw NotJSON() }
            index += 1
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") {
                    flush()
                    return String(scalars)
                }
                guard byte == UInt8(ascii: "\\") else {
                    raw.append(byte)
                    continue
                }
                guard index < bytes.count else { throw NotJSON() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "u"):
                    flush()
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code), index + 1 < bytes.count,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                case UInt8(ascii: "n"): raw.append(0x0a)
                case UInt8(ascii: "t"): raw.append(0x09)
                case UInt8(ascii: "r"): raw.append(0x0d)
                case UInt8(ascii: "b"): raw.append(0x08)
                case UInt8(ascii: "f"): raw.append(0x0c)
                default: raw.append(escape)  // \" \\ \/
                }
            }
            throw NotJSON()
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else {
                throw NotJSON()
            }
            index += 4
            return code
        }
    }
}
