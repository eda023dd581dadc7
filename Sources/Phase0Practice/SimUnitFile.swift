import Phase0Core
import Phase0Parsers

/// A small reader of systemd unit files, following systemd.syntax(7) and systemd.service(5):
/// sections, `Key=value` lines, backslash line continuation, comments, `%` specifiers, and
/// the word splitting of Exec lines (quotes, C escapes, `$$`). The simulated Spark uses it to
/// run the unit Step 2 installs exactly as written, and tests use it to check that a rendered
/// value reads back as itself. It refuses what it does not know rather than guessing.
public struct SimUnitFile: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var section: String
        public var key: String
        public var value: String
    }

    public var entries: [Entry]

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public init(_ text: String) {
        var entries: [Entry] = []
        var section = ""
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            if pending.isEmpty {
                let trimmed = line.trimmingWhitespace()
                if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            }
            // A line ending in an unescaped backslash goes on with the next one; the backslash
            // becomes a space (systemd's conf-parser pairs backslashes from the start).
            if Self.endsEscaped(pending + line) {
                line.removeLast()
                pending += line + " "
                continue
            }
            line = (pending + line).trimmingWhitespace()
            pending = ""
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            entries.append(
                Entry(
                    section: section, key: String(line[..<equals]).trimmingWhitespace(),
                    value: String(line[line.index(after: equals)...]).trimmingWhitespace()))
        }
        self.entries = entries
    }

    static func endsEscaped(_ text: String) -> Bool {
        var escaped = false
        for c in text { escaped = escaped ? false : c == "\\" }
        return escaped
    }

    /// Every value of `key` in `section`, in order (an empty assignment resets the list).
    public func values(_ section: String, _ key: String) -> [String] {
        var result: [String] = []
        for entry in entries where entry.section == section && entry.key == key {
            if entry.value.isEmpty { result.removeAll() } else { result.append(entry.value) }
        }
        return result
    }

    /// The last value of a single-valued setting, with its specifiers resolved.
    public func setting(_ section: String, _ key: String) throws -> String? {
        guard let raw = values(section, key).last else { return nil }
        return try Self.resolveSpecifiers(raw)
    }

    /// The `Environment=` assignments of `[Service]`.
    public func environment() throws -> [String: String] {
        var result: [String: String] = [:]
        for line in values("Service", "Environment") {
            for word in try Self.words(line) {
                let assignment = try Self.resolveSpecifiers(word)
                guard let equals = assignment.firstIndex(of: "=") else {
                    throw ParseError(reason: "Environment= word without '=': \(assignment)")
                }
                result[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
            }
        }
        return result
    }

    /// One Exec line as the argv systemd would run, after its `-@:+!` prefixes, specifiers
    /// and `$` substitutions (`environment` supplies `$NAME` values).
    public static func execArgv(_ line: String, environment: [String: String] = [:]) throws -> [String] {
        var words = try words(line)
        guard var first = words.first else { throw ParseError(reason: "empty Exec line") }
        while let prefix = first.first, "-@:+!".contains(prefix) { first.removeFirst() }
        words[0] = first
        // The program gets its specifiers resolved but no `$` substitution, and may not hold
        // quotes or backslashes (systemd: "Executable name contains special characters").
        let program = try resolveSpecifiers(words[0])
        if program.contains(where: { "\"'\\".contains($0) }) {
            throw ParseError(reason: "Executable name contains special characters: \(program)")
        }
        var argv = [program]
        for word in words.dropFirst() {
            let resolved = try resolveSpecifiers(word)
            argv.append(contentsOf: substituteVariables(resolved, environment: environment))
        }
        guard argv.first?.hasPrefix("/") == true else {
            throw ParseError(reason: "the program of an Exec line should be an absolute path, not \(argv.first ?? "nothing")")
        }
        return argv
    }

    /// Splits like systemd's extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE).
    public static func words(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if c == "\\" {
                guard let next = chars.popFirst() else { throw ParseError(reason: "a lone backslash ends the line") }
                current.append(try unescape(next, &chars))
                inWord = true
            } else if let open = quote {
                if c == open { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if quote != nil { throw ParseError(reason: "unbalanced quotes in: \(line)") }
        if inWord { words.append(current) }
        return words
    }

    static func unescape(_ c: Character, _ rest: inout ArraySlice<Character>) throws -> Character {
        switch c {
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        case "s": return " "
        case "\\", "\"", "'", "$", ";": return c
        case "x":
            guard rest.count >= 2, let value = UInt8(String(rest.prefix(2)), radix: 16) else {
                throw ParseError(reason: "bad \\x escape")
            }
            rest.removeFirst(2)
            return Character(Unicode.Scalar(value))
        default:
            throw ParseError(reason: "unknown escape \\\(c)")
        }
    }

    /// `%%` is a percent sign; the specifiers Step 2 never writes are refused, so a stray `%`
    /// in a rendered unit cannot silently mean something else.
    public static func resolveSpecifiers(_ text: String) throws -> String {
        var result = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            guard c == "%" else {
                result.append(c)
                continue
            }
            guard let next = chars.popFirst() else { throw ParseError(reason: "a lone % ends \"\(text)\"") }
            guard next == "%" else { throw ParseError(reason: "specifier %\(next) in \"\(text)\" (write %% for a percent sign)") }
            result.append("%")
        }
        return result
    }

    /// `$$` is a dollar; `${NAME}` inside a word and `$NAME` as a whole word are replaced.
    static func substituteVariables(_ word: String, environment: [String: String]) -> [String] {
        if word.hasPrefix("$"), !word.hasPrefix("$$"), !word.hasPrefix("${") {
            let name = String(word.dropFirst())
            return (environment[name] ?? "").split(separator: " ").map(String.init)
        }
        var result = ""
        var chars = Array(word)[...]
        while let c = chars.popFirst() {
            guard c == "$" else {
                result.append(c)
                continue
            }
            if chars.first == "$" {
                chars.removeFirst()
                result.append("$")
            } else if chars.first == "{", let close = chars.firstIndex(of: "}") {
                let name = String(chars[chars.index(after: chars.startIndex)..<close])
                result += environment[name] ?? ""
                chars = chars[chars.index(after: close)...]
            } else {
                result.append("$")
            }
        }
        return [result]
    }
}
