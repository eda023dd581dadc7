/// Renders the templates of `Templates/`: `{{name}}` values and `{{#flag}}…{{/flag}}`,
/// `{{^flag}}…{{/flag}}` sections. Values arrive already escaped for their context (see
/// UnitSyntax and the docker argv); the renderer only refuses what is missing or malformed.
public enum TemplateError: Error, Equatable, CustomStringConvertible {
    case missingValue(String, template: String)
    case unbalanced(String, template: String)
    case unknownTemplate(String)

    public var description: String {
        switch self {
        case .missingValue(let name, let template): return "template \(template): no value for {{\(name)}}"
        case .unbalanced(let name, let template): return "template \(template): section {{\(name)}} is not closed or not opened"
        case .unknownTemplate(let name): return "no template named \(name)"
        }
    }
}

public struct TemplateRenderer {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    public func render(values: [String: String], flags: [String: Bool] = [:]) throws -> String {
        var output = ""
        var sections: [(name: String, keep: Bool)] = []
        var keeping: Bool { sections.allSatisfy(\.keep) }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingWhitespace()
            // A line that is only a section tag disappears entirely.
            if trimmed.hasPrefix("{{#") || trimmed.hasPrefix("{{^") || trimmed.hasPrefix("{{/"),
                trimmed.hasSuffix("}}"), trimmed.filter({ $0 == "{" }).count == 2
            {
                let tag = String(trimmed.dropFirst(3).dropLast(2))
                switch trimmed.dropFirst(2).first {
                case "#", "^":
                    guard let flag = flags[tag] else { throw TemplateError.missingValue(tag, template: name) }
                    sections.append((tag, trimmed.dropFirst(2).first == "#" ? flag : !flag))
                default:
                    guard sections.last?.name == tag else { throw TemplateError.unbalanced(tag, template: name) }
                    sections.removeLast()
                }
                continue
            }
            guard keeping else { continue }
            output += try substitute(String(line), values) + "\n"
        }
        if let open = sections.last { throw TemplateError.unbalanced(open.name, template: name) }
        // The split added one "\n" too many when the template ends with a newline.
        if output.hasSuffix("\n") && !text.hasSuffix("\n") { output.removeLast() }
        if text.hasSuffix("\n") && output.hasSuffix("\n\n") { output.removeLast() }
        return output
    }

    private func substitute(_ line: String, _ values: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(line)
        while let open = rest.firstRange(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw TemplateError.unbalanced(String(rest[open.upperBound...]), template: name)
            }
            let key = String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace()
            guard let value = values[key] else { throw TemplateError.missingValue(key, template: name) }
            result += value
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

/// Escaping for systemd unit files (systemd.unit(5), systemd.service(5)): `%` starts a
/// specifier, `$` an environment substitution in Exec lines, and a newline would end the
/// setting, so a value with a control character is refused rather than escaped.
public enum UnitSyntax {
    static func refuseControlCharacters(_ value: String, what: String) throws {
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw ValidationFailure("\(what) contains a control character (newline, tab, NUL…), which a unit file cannot hold safely")
        }
    }

    /// A plain setting value (User=, WorkingDirectory=): only `%` needs doubling. systemd
    /// strips the whitespace around a value and joins a line ending in a backslash with the
    /// next one, so such values cannot be written as they are and are refused.
    public static func value(_ raw: String, what: String) throws -> String {
        try refuseControlCharacters(raw, what: what)
        if raw.hasSuffix("\\") {
            throw ValidationFailure("\(what) ends with a backslash, which would join the unit file's next line to it")
        }
        if raw.first == " " || raw.last == " " {
            throw ValidationFailure("\(what) begins or ends with a space, which systemd would drop")
        }
        return raw.replacing("%", with: "%%")
    }

    /// One argument of an Exec line: quoted when needed, `%`→`%%`, `$`→`$$`, `\` and `"` escaped.
    public static func execArgument(_ raw: String, what: String) throws -> String {
        try refuseControlCharacters(raw, what: what)
        var escaped = raw.replacing("%", with: "%%").replacing("$", with: "$$")
        let needsQuotes = escaped.isEmpty || escaped.contains(where: { " \"'\\;".contains($0) })
        guard needsQuotes else { return escaped }
        escaped = escaped.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return "\"" + escaped + "\""
    }

    /// The program of an Exec line (its first word). systemd resolves `%` specifiers there but
    /// no `$` variables (so `$` stays as it is), and refuses quotes and backslashes in it
    /// ("Executable name contains special characters"): such a path is refused here.
    public static func execProgram(_ raw: String, what: String) throws -> String {
        try refuseControlCharacters(raw, what: what)
        if raw.contains(where: { "\"'\\".contains($0) }) {
            throw ValidationFailure(
                "\(what) (\(raw)) contains a quote or a backslash, which systemd refuses in the program of an Exec line")
        }
        guard raw.hasPrefix("/") else { throw ValidationFailure("\(what) must be an absolute path, not \(raw)") }
        let escaped = raw.replacing("%", with: "%%")
        return escaped.contains(where: { $0 == " " || $0 == ";" }) ? "\"" + escaped + "\"" : escaped
    }

    /// `Environment="KEY=value"`, quoted so spaces survive.
    public static func environment(_ key: String, _ raw: String) throws -> String {
        try refuseControlCharacters(raw, what: key)
        let escaped = raw.replacing("%", with: "%%").replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return "\"\(key)=\(escaped)\""
    }
}
