/// What systemd-sysctl will apply at the next boot, computed the way it computes it. Checked
/// against the real systemd-sysctl 252 (FACTS B1–B3, vectors v1–v8):
/// - directories in precedence order: /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
///   /usr/lib/sysctl.d (and /lib/sysctl.d, the same directory on merged-/usr systems);
/// - files whose name ends in `.conf` (case-sensitive); a name in a higher directory hides the
///   same name below, and an empty file (or a link to /dev/null) hides it and adds nothing;
/// - all files sorted by name, byte by byte, whatever their directory: Debian's
///   `99-sysctl.conf -> ../sysctl.conf` sorts after `99-phase0-…` but before `99-zz-…`;
/// - /etc/sysctl.conf counts only through that link (systemd-sysctl never reads it itself);
/// - `#` and `;` comment lines; a leading `-` ignores write errors; the first `=` splits; no
///   inline comments; `vm.swappiness` and `vm/swappiness` are the same key;
/// - a later assignment wins; a glob never overrides a key assigned explicitly anywhere.
public enum SysctlBoot {
    public static let directories = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"]

    /// One candidate file: its directory, its name, its content (nil when unreadable).
    public struct File: Equatable, Sendable {
        public var directory: String
        public var name: String
        public var content: String?
        public init(directory: String, name: String, content: String?) {
            self.directory = directory
            self.name = name
            self.content = content
        }
        public var path: String { directory + "/" + name }
    }

    /// Where a value comes from.
    public struct Setting: Equatable, Sendable {
        public var value: String
        public var path: String
        public var line: Int
        /// Set by a glob pattern (`vm.swapp*`) rather than by the key itself.
        public var byGlob: Bool
    }

    /// The files systemd-sysctl reads, in the order it applies them. `candidates` are given
    /// in directory precedence order (the order of `directories`).
    public static func applied(_ candidates: [File]) -> [File] {
        var chosen: [String: File] = [:]
        for file in candidates where file.name.hasSuffix(".conf") && chosen[file.name] == nil {
            chosen[file.name] = file
        }
        return chosen.values
            .filter { !($0.content?.isEmpty ?? false) }  // empty or /dev/null: masks, adds nothing
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// The value the next boot sets for `key`, or nil when nothing sets it.
    public static func value(of key: String, in candidates: [File]) -> Setting? {
        let wanted = normalized(key)
        var explicit: Setting?
        var glob: Setting?
        var excludedFromGlobs = false
        for file in applied(candidates) {
            guard let content = file.content else { continue }
            for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                guard let parsed = assignment(in: String(line)) else { continue }
                let setting = Setting(value: parsed.value ?? "", path: file.path, line: index + 1, byGlob: false)
                if isGlob(parsed.key) {
                    if parsed.value != nil, matches(pattern: parsed.key, wanted) {
                        glob = Setting(value: setting.value, path: setting.path, line: setting.line, byGlob: true)
                    }
                } else if parsed.key == wanted {
                    if parsed.value == nil { excludedFromGlobs = true } else { explicit = setting }
                }
            }
        }
        return explicit ?? (excludedFromGlobs ? nil : glob)
    }

    /// (key normalized, value) of one line; value nil for a `-key` line (excluded from globs).
    public static func assignment(in line: String) -> (key: String, value: String?)? {
        var text = line.trimmingWhitespace()
        guard let first = text.first, first != "#", first != ";" else { return nil }
        let ignoreErrors = text.hasPrefix("-")
        if ignoreErrors { text.removeFirst() }
        guard let equals = text.firstIndex(of: "=") else {
            // `-key` alone excludes the key from globs; any other line without `=` is ignored.
            return ignoreErrors && !text.isEmpty ? (normalized(text.trimmingWhitespace()), nil) : nil
        }
        let key = String(text[..<equals]).trimmingWhitespace()
        let value = String(text[text.index(after: equals)...]).trimmingWhitespace()
        guard !key.isEmpty else { return nil }
        return (normalized(key), value)
    }

    /// `vm.swappiness` -> `vm/swappiness`: when the first separator is a dot, dots and slashes swap.
    public static func normalized(_ key: String) -> String {
        guard let separator = key.first(where: { $0 == "." || $0 == "/" }), separator == "." else { return key }
        return String(key.map { $0 == "." ? "/" : ($0 == "/" ? "." : $0) })
    }

    static func isGlob(_ key: String) -> Bool { key.contains { "*?[".contains($0) } }

    /// fnmatch(3) without flags: `*`, `?` and `[...]` (with `!` or `^` negation and ranges).
    /// Iterative, remembering only the last `*`: a file full of stars costs pattern × text steps,
    /// never the exponential backtracking a recursive matcher takes (the fuzzer found one).
    static func matches(pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.unicodeScalars)
        let text = Array(text.unicodeScalars)
        var p = 0
        var t = 0
        var star: (p: Int, t: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                star = (p, t)
                p += 1
            } else if p < pattern.count, let length = element(pattern, at: p, matches: text[t]) {
                p += length
                t += 1
            } else if let last = star {
                // The last `*` takes one more character; everything after it is tried again.
                star = (last.p, last.t + 1)
                p = last.p + 1
                t = last.t + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// How many pattern scalars the element at `index` (not `*`) takes when it matches
    /// `character`; nil when it does not.
    private static func element(_ pattern: [Unicode.Scalar], at index: Int, matches character: Unicode.Scalar) -> Int? {
        switch pattern[index] {
        case "?":
            return 1
        case "[":
            // A `]` right after `[` (or `[!`, `[^`) is part of the set, as in fnmatch.
            let negation = index + 1 < pattern.count && (pattern[index + 1] == "!" || pattern[index + 1] == "^")
            let first = index + (negation ? 2 : 1)
            guard first < pattern.count, let close = pattern[(first + 1)...].firstIndex(of: "]") else {
                return character == "[" ? 1 : nil
            }
            var set = pattern[(index + 1)..<close]
            let negated = set.first == "!" || set.first == "^"
            if negated { set = set.dropFirst() }
            var found = false
            var position = set.startIndex
            while position < set.endIndex {
                let low = set[position]
                if position + 2 < set.endIndex, set[position + 1] == "-" {
                    if low.value <= character.value && character.value <= set[position + 2].value { found = true }
                    position += 3
                } else {
                    if low == character { found = true }
                    position += 1
                }
            }
            return found != negated ? close - index + 1 : nil
        default:
            return pattern[index] == character ? 1 : nil
        }
    }
}
