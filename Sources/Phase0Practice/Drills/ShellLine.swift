import Phase0Parsers

/// A command line typed at a drill's prompt, read the way a shell reads the small subset the
/// guide's diagnostics use: words with '…', "…" and \ quoting; `|` pipelines; `&&` and `;`
/// lists; `2>&1`, `>/dev/null` and `2>/dev/null` (which only hide output). Nothing is ever
/// run by a real shell: the words go to the simulated Spark.
public struct ShellLine: Equatable {
    public enum Joiner: Equatable { case always, ifSucceeded }

    /// A pipeline: each stage's words; `hidesOutput` for `>/dev/null` on the last stage.
    public struct Pipeline: Equatable {
        public var stages: [[String]]
        public var joiner: Joiner
        public var hidesOutput = false
    }

    public var pipelines: [Pipeline]

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String) throws -> ShellLine {
        var pipelines: [Pipeline] = []
        var stages: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var hides = false
        var joiner = Joiner.always
        var characters = Array(text)[...]

        func endWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        func endStage() throws {
            endWord()
            guard !words.isEmpty else { throw ParseError(description: "syntax error: a `|`, `&&` or `;` with no command beside it") }
            // Redirections that only hide output are taken off the words.
            var kept: [String] = []
            var index = 0
            while index < words.count {
                let current = words[index]
                if current == "2>&1" || current == "2>/dev/null" || current == "&>/dev/null" {
                    index += 1
                    continue
                }
                if current == ">/dev/null" || current == "&>/dev/null" {
                    hides = true
                    index += 1
                    continue
                }
                if (current == ">" || current == "2>") && index + 1 < words.count && words[index + 1] == "/dev/null" {
                    if current == ">" { hides = true }
                    index += 2
                    continue
                }
                if current.hasPrefix(">") || current.hasPrefix("<") || current == "&" {
                    throw ParseError(description: "redirection `\(current)` is not simulated here (only >/dev/null and 2>&1)")
                }
                kept.append(current)
                index += 1
            }
            stages.append(kept)
            words = []
        }
        func endPipeline(next: Joiner) throws {
            try endStage()
            pipelines.append(Pipeline(stages: stages, joiner: joiner, hidesOutput: hides))
            stages = []
            hides = false
            joiner = next
        }

        while let character = characters.popFirst() {
            switch character {
            case "'":
                inWord = true
                guard let close = characters.firstIndex(of: "'") else {
                    throw ParseError(description: "unexpected end of line: a ' is not closed")
                }
                word += String(characters[..<close])
                characters = characters[characters.index(after: close)...]
            case "\"":
                inWord = true
                var closed = false
                while let next = characters.popFirst() {
                    if next == "\"" {
                        closed = true
                        break
                    }
                    if next == "\\", let escaped = characters.first, "\"\\$`".contains(escaped) {
                        word.append(escaped)
                        characters.removeFirst()
                    } else {
                        word.append(next)
                    }
                }
                guard closed else { throw ParseError(description: "unexpected end of line: a \" is not closed") }
            case "\\":
                inWord = true
                if let escaped = characters.popFirst() { word.append(escaped) }
            case " ", "\t":
                endWord()
            case "|":
                if characters.first == "|" { throw ParseError(description: "`||` is not simulated here; use `;` or `&&`") }
                try endStage()
            case "&":
                if characters.first == "&" {
                    characters.removeFirst()
                    try endPipeline(next: .ifSucceeded)
                } else if characters.first == ">" {
                    inWord = true
                    word.append("&")
                } else if word == "2>" {
                    word.append("&")
                } else {
                    throw ParseError(description: "background jobs (`&`) are not simulated here")
                }
            case ";":
                try endPipeline(next: .always)
            case "$", "`":
                // `$USER` alone is kept (tailscale set --operator=$USER); the drill expands it.
                if character == "$" && characters.starts(with: "USER") {
                    characters.removeFirst(4)
                    inWord = true
                    word += "$USER"
                } else {
                    throw ParseError(description: "`\(character)` (substitution) is not simulated here: type the value itself")
                }
            default:
                inWord = true
                word.append(character)
            }
        }
        endWord()
        if words.isEmpty && stages.isEmpty {
            if pipelines.isEmpty { return ShellLine(pipelines: []) }
            // A trailing `;` is fine; a trailing `&&` or `|` is not.
            if joiner == .ifSucceeded { throw ParseError(description: "syntax error: the line ends with `&&`") }
            return ShellLine(pipelines: pipelines)
        }
        try endPipeline(next: .always)
        return ShellLine(pipelines: pipelines)
    }

    /// The line's commands, each as its words, in order (the first stage of every pipeline
    /// and every filter after it).
    public var commands: [[String]] { pipelines.flatMap(\.stages) }
}

/// grep's and sed's basic regular expressions, the subset diagnostics use: literals, `.`,
/// `*`, `^`, `$`, `\.`-style escapes, `[…]` classes and `\|` alternation (GNU). Written here
/// rather than with Swift's Regex, which would page ~0.8 MB of code into the binary.
public struct SimPattern {
    enum Atom {
        case literal(Character)
        case any
        case set(Set<Character>, negated: Bool)
    }
    struct Piece {
        var atom: Atom
        var star: Bool
    }
    let alternatives: [(pieces: [Piece], start: Bool, end: Bool)]
    let ignoreCase: Bool

    public init(_ pattern: String, ignoreCase: Bool = false, extended: Bool = false) {
        self.ignoreCase = ignoreCase
        let separator = extended ? "|" : "\\|"
        alternatives = pattern.split(separator: separator, omittingEmptySubsequences: false).map { part in
            var characters = Array(ignoreCase ? part.lowercased() : String(part))[...]
            var start = false
            var end = false
            if characters.first == "^" {
                start = true
                characters.removeFirst()
            }
            if characters.last == "$" && characters.dropLast().last != "\\" {
                end = true
                characters.removeLast()
            }
            var pieces: [Piece] = []
            while let character = characters.popFirst() {
                var atom: Atom
                switch character {
                case ".": atom = .any
                case "\\": atom = .literal(characters.popFirst() ?? "\\")
                case "[":
                    var set = Set<Character>()
                    let negated = characters.first == "^"
                    if negated { characters.removeFirst() }
                    while let member = characters.popFirst(), member != "]" { set.insert(member) }
                    atom = .set(set, negated: negated)
                case "*" where pieces.isEmpty: atom = .literal("*")
                default: atom = .literal(character)
                }
                let star = characters.first == "*"
                if star { characters.removeFirst() }
                pieces.append(Piece(atom: atom, star: star))
            }
            return (pieces, start, end)
        }
    }

    /// The first match in `text`: its range as character offsets.
    public func firstMatch(in text: String) -> Range<Int>? {
        let characters = Array(ignoreCase ? text.lowercased() : text)
        var best: Range<Int>?
        for alternative in alternatives {
            let starts = alternative.start ? [0] : Array(0...characters.count)
            for start in starts {
                if let end = match(alternative.pieces[...], characters, start, mustEnd: alternative.end) {
                    if best == nil || start < best!.lowerBound { best = start..<end }
                    break
                }
            }
        }
        return best
    }

    public func matches(_ text: String) -> Bool { firstMatch(in: text) != nil }

    private func match(_ pieces: ArraySlice<Piece>, _ text: [Character], _ position: Int, mustEnd: Bool) -> Int? {
        guard let piece = pieces.first else { return !mustEnd || position == text.count ? position : nil }
        let rest = pieces.dropFirst()
        if piece.star {
            var end = position
            while end < text.count && accepts(piece.atom, text[end]) { end += 1 }
            while end >= position {
                if let found = match(rest, text, end, mustEnd: mustEnd) { return found }
                end -= 1
            }
            return nil
        }
        guard position < text.count, accepts(piece.atom, text[position]) else { return nil }
        return match(rest, text, position + 1, mustEnd: mustEnd)
    }

    private func accepts(_ atom: Atom, _ character: Character) -> Bool {
        switch atom {
        case .any: return true
        case .literal(let literal): return literal == character
        case .set(let set, let negated): return set.contains(character) != negated
        }
    }
}
