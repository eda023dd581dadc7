/// Just enough YAML to write a playbook: maps in the order given, lists, and scalars that are
/// always quoted, so no value phase0 writes can turn into a number, a boolean or a tag by
/// accident. A value that holds Jinja delimiters is tagged `!unsafe`: Ansible then takes it
/// as text and never templates it (a path with `{{` in it stays a path).
indirect enum YAML {
    /// Data: quoted, and never templated.
    case text(String)
    /// A Jinja expression or template the playbook means Ansible to evaluate.
    case jinja(String)
    /// A YAML word written as it is: true, false, a number, null.
    case plain(String)
    case list([YAML])
    case map([(String, YAML)])

    static func strings(_ values: [String]) -> YAML { .list(values.map { .text($0) }) }

    /// The document, with `header` comment lines first.
    static func document(_ root: YAML, header: [String]) -> String {
        header.map { "# " + $0 }.joined(separator: "\n") + "\n---\n" + root.lines(indent: 0).joined(separator: "\n") + "\n"
    }

    func lines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .text, .jinja, .plain: return [pad + scalar]
        case .list(let items):
            if items.isEmpty { return [pad + "[]"] }
            return items.flatMap { item -> [String] in
                if case .map(let pairs) = item, !pairs.isEmpty {
                    let inner = item.lines(indent: indent + 2)
                    return [pad + "- " + inner[0].dropFirst(indent + 2)] + inner.dropFirst()
                }
                if item.isScalar { return [pad + "- " + item.scalar] }
                return [pad + "-"] + item.lines(indent: indent + 2)
            }
        case .map(let pairs):
            if pairs.isEmpty { return [pad + "{}"] }
            return pairs.flatMap { key, value -> [String] in
                if value.isScalar { return [pad + key + ": " + value.scalar] }
                if case .list(let items) = value, items.isEmpty { return [pad + key + ": []"] }
                return [pad + key + ":"] + value.lines(indent: indent + 2)
            }
        }
    }

    var isScalar: Bool {
        switch self {
        case .text, .jinja, .plain: return true
        default: return false
        }
    }

    var scalar: String {
        switch self {
        case .text(let value):
            let unsafe = ["{{", "{%", "{#"].contains { value.contains($0) }
            return (unsafe ? "!unsafe " : "") + YAML.quoted(value)
        case .jinja(let expression): return YAML.quoted(expression)
        case .plain(let word): return word
        default: return ""
        }
    }

    /// A double-quoted YAML scalar: backslash, quote and every control character escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
