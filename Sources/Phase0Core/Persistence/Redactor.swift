import Phase0Parsers
/// Secret-looking text, masked: auth keys, passwords, tokens, bearer credentials, URL
/// passwords, private keys. Used for the transcript, the resume file's notes and history,
/// and to refuse an answer that looks like a secret.
///
/// Hand-written scanners over bytes rather than Regex: the regex engine alone pages in
/// ~0.8 MB of code, a sixteenth of the whole footprint budget, for patterns this simple.
public enum Redactor {
    static let mask = Array("[REDACTED]".utf8)

    /// A rule: what it finds, the lower-case fragments without which it cannot match (any one
    /// suffices; a cheap test that spares the scan for nearly every line), and the scanner,
    /// which returns the byte ranges to mask. Earlier rules run first, and later rules see
    /// their masks, as a chain of substitutions would.
    struct Rule: Sendable {
        var kind: String
        var triggers: [String]
        var find: @Sendable ([UInt8]) -> [Range<Int>]

        /// The triggers as bytes, once.
        let triggerBytes: [[UInt8]]

        init(kind: String, triggers: [String], find: @escaping @Sendable ([UInt8]) -> [Range<Int>]) {
            self.kind = kind
            self.triggers = triggers
            self.find = find
            triggerBytes = triggers.map { Array($0.utf8) }
        }

        /// Whether a trigger occurs in `bytes`, ASCII letters compared without case. Every
        /// scanner matches ASCII only, so a match implies its trigger here; a byte scan, because
        /// `lowercased()` and `String.contains` per rule cost more than the scanners themselves.
        func isTriggered(by bytes: [UInt8]) -> Bool {
            for trigger in triggerBytes where bytes.count >= trigger.count {
                var start = 0
                while start <= bytes.count - trigger.count {
                    var matched = 0
                    while matched < trigger.count && Redactor.lower(bytes[start + matched]) == trigger[matched] { matched += 1 }
                    if matched == trigger.count { return true }
                    start += 1
                }
            }
            return false
        }
    }

    static let rules: [Rule] = [
        Rule(kind: "a Tailscale auth key", triggers: ["tskey-"]) {
            prefixedTokens($0, prefix: "tskey-", body: isTokenBody, minimum: 1, needsBoundary: false, masksPrefix: true)
        },
        Rule(kind: "a Tailscale login link", triggers: ["login.tailscale.com/a/"]) {
            prefixedTokens($0, prefix: "https://login.tailscale.com/a/", body: isAlphanumeric, minimum: 1, needsBoundary: false, masksPrefix: false)
        },
        Rule(kind: "an Authorization header", triggers: ["authorization"], find: authorizationValues),
        Rule(kind: "a password or token setting", triggers: settingKeywords, find: settingValues),
        Rule(kind: "a password or token option", triggers: optionKeywords, find: optionValues),
        Rule(kind: "a password in a URL", triggers: ["://"]) { bytes in bytes.contains(UInt8(ascii: "@")) ? urlPasswords(bytes) : [] },
        Rule(kind: "an API key", triggers: ["sk-"]) { prefixedTokens($0, prefix: "sk-", body: isTokenBody, minimum: 16) },
        Rule(kind: "a GitHub token", triggers: ["gh", "github_pat_"]) { bytes in
            ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].flatMap { prefixedTokens(bytes, prefix: $0, body: isAlphanumeric, minimum: 20) }
                + prefixedTokens(bytes, prefix: "github_pat_", body: { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }, minimum: 20)
        },
        Rule(kind: "a Hugging Face token", triggers: ["hf_"]) { prefixedTokens($0, prefix: "hf_", body: isAlphanumeric, minimum: 30) },
        Rule(kind: "an AWS access key", triggers: ["akia"], find: awsKeys),
        Rule(kind: "a Slack token", triggers: ["xox"]) { bytes in
            ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"].flatMap {
                prefixedTokens(bytes, prefix: $0, body: { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }, minimum: 10)
            }
        },
        Rule(kind: "a JSON web token", triggers: ["eyj"], find: webTokens),
        Rule(kind: "a private key", triggers: ["-----begin"], find: privateKeys),
    ]

    public static func redact(_ text: String) -> String {
        WorkMeter.current?.redactedBytes += text.utf8.count
        var bytes = Array(text.utf8)
        var masked = false
        for rule in rules where rule.isTriggered(by: bytes) {
            let ranges = rule.find(bytes)
            guard !ranges.isEmpty else { continue }
            for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
                bytes.replaceSubrange(range, with: mask)
            }
            masked = true
        }
        return masked ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// What kind of secret `text` seems to hold, or nil.
    public static func secretKind(in text: String) -> String? {
        let bytes = Array(text.utf8)
        return rules.first { rule in rule.isTriggered(by: bytes) && !rule.find(bytes).isEmpty }?.kind
    }

    // MARK: Character classes

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0d).contains(b) }
    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b)
    }
    static func isWordByte(_ b: UInt8) -> Bool { isAlphanumeric(b) || b == UInt8(ascii: "_") }
    static func isTokenBody(_ b: UInt8) -> Bool { isWordByte(b) || b == UInt8(ascii: "-") }
    static func isIdentifier(_ b: UInt8) -> Bool { isTokenBody(b) || b == UInt8(ascii: ".") }
    static func isQuote(_ b: UInt8) -> Bool { b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") }
    static func lower(_ b: UInt8) -> UInt8 { (0x41...0x5a).contains(b) ? b + 32 : b }

    /// Whether `word` (lowercase ASCII) starts at `index`, ignoring case.
    static func hasWord(_ bytes: [UInt8], at index: Int, _ word: String) -> Bool {
        let w = Array(word.utf8)
        guard index >= 0, index + w.count <= bytes.count else { return false }
        for offset in 0..<w.count where lower(bytes[index + offset]) != w[offset] { return false }
        return true
    }

    /// The end of a run of bytes satisfying `accept`, from `index`.
    static func run(_ bytes: [UInt8], from index: Int, while accept: (UInt8) -> Bool) -> Int {
        var end = index
        while end < bytes.count && accept(bytes[end]) { end += 1 }
        return end
    }

    static func skipSpaces(_ bytes: [UInt8], _ index: Int) -> Int { run(bytes, from: index, while: isSpace) }
    static func skipQuote(_ bytes: [UInt8], _ index: Int) -> Int {
        index < bytes.count && isQuote(bytes[index]) ? index + 1 : index
    }

    // MARK: Scanners

    /// `PREFIX` + at least `minimum` body bytes; case-sensitive, like the vendors' formats.
    static func prefixedTokens(_ bytes: [UInt8], prefix: String, body: (UInt8) -> Bool, minimum: Int,
                               needsBoundary: Bool = true, masksPrefix: Bool = true) -> [Range<Int>] {
        let p = Array(prefix.utf8)
        var ranges: [Range<Int>] = []
        var index = 0
        while index + p.count <= bytes.count {
            guard bytes[index] == p[0], Array(bytes[index..<(index + p.count)]) == p,
                  !needsBoundary || index == 0 || !isWordByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            let end = run(bytes, from: index + p.count, while: body)
            if end - (index + p.count) >= minimum {
                ranges.append((masksPrefix ? index : index + p.count)..<end)
                index = end
            } else {
                index += 1
            }
        }
        return ranges
    }

    static let optionKeywords = ["authkey", "auth-key", "password", "passwd", "token", "secret"]
    static let settingKeywords = ["pass", "secret", "token", "api_key", "api-key", "apikey", "auth_key", "auth-key",
                                  "authkey", "access_key", "access-key", "accesskey", "private_key", "private-key", "privatekey"]

    /// `password=x`, `api_key: x`, `"token": "x"`, `--password=x`: a name holding a secret
    /// keyword, then `=` or `:`, then the value (masked).
    static func settingValues(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isIdentifier(bytes[index]) else { index += 1; continue }
            let nameEnd = run(bytes, from: index, while: isIdentifier)
            let name = String(decoding: bytes[index..<nameEnd].map(lower), as: UTF8.self)
            index = nameEnd
            guard settingKeywords.contains(where: { name.contains($0) }) else { continue }
            var cursor = skipSpaces(bytes, skipQuote(bytes, nameEnd))
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") || bytes[cursor] == UInt8(ascii: ":") else { continue }
            cursor = skipQuote(bytes, skipSpaces(bytes, cursor + 1))
            let end = run(bytes, from: cursor) { !isSpace($0) && !isQuote($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "}") }
            if end > cursor {
                ranges.append(cursor..<end)
                index = end
            }
        }
        return ranges
    }

    /// `--password hunter2`: an option naming a secret, a space, then its value.
    static func optionValues(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index + 2 < bytes.count {
            guard bytes[index] == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "-") else { index += 1; continue }
            let nameEnd = run(bytes, from: index + 2) { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            let name = String(decoding: bytes[(index + 2)..<nameEnd].map(lower), as: UTF8.self)
            index = max(nameEnd, index + 2)
            guard optionKeywords.contains(where: { name.contains($0) }),
                  nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "=") || bytes[nameEnd] == UInt8(ascii: " ") else { continue }
            let start = skipQuote(bytes, nameEnd + 1)
            let end = run(bytes, from: start) { !isSpace($0) && !isQuote($0) }
            if end > start {
                ranges.append(start..<end)
                index = end
            }
        }
        return ranges
    }

    /// `Authorization: Bearer x` (also basic and token schemes), in headers or JSON.
    static func authorizationValues(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard hasWord(bytes, at: index, "authorization") else { index += 1; continue }
            index += "authorization".utf8.count
            var cursor = skipSpaces(bytes, skipQuote(bytes, index))
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { continue }
            cursor = skipQuote(bytes, skipSpaces(bytes, cursor + 1))
            guard let scheme = ["bearer", "basic", "token"].first(where: { hasWord(bytes, at: cursor, $0) }) else { continue }
            cursor += scheme.utf8.count
            let valueStart = skipSpaces(bytes, cursor)
            guard valueStart > cursor else { continue }
            let end = run(bytes, from: valueStart) { !isSpace($0) && !isQuote($0) }
            if end > valueStart {
                ranges.append(valueStart..<end)
                index = end
            }
        }
        return ranges
    }

    /// `scheme://user:password@host`: the password.
    static func urlPasswords(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index + 3 <= bytes.count {
            guard bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/") else {
                index += 1
                continue
            }
            let userStart = index + 3
            let userEnd = run(bytes, from: userStart) { !isSpace($0) && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "@") }
            index = userStart
            guard userEnd > userStart, userEnd < bytes.count, bytes[userEnd] == UInt8(ascii: ":") else { continue }
            let passwordEnd = run(bytes, from: userEnd + 1) { !isSpace($0) && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "@") }
            guard passwordEnd > userEnd + 1, passwordEnd < bytes.count, bytes[passwordEnd] == UInt8(ascii: "@") else { continue }
            ranges.append((userEnd + 1)..<passwordEnd)
            index = passwordEnd
        }
        return ranges
    }

    /// `AKIA` and 16 upper-case letters or digits, as a whole word.
    static func awsKeys(_ bytes: [UInt8]) -> [Range<Int>] {
        prefixedTokens(bytes, prefix: "AKIA", body: { (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) }, minimum: 16)
            .filter { $0.count == 20 && ($0.upperBound == bytes.count || !isWordByte(bytes[$0.upperBound])) }
    }

    /// Three base64url segments of at least 8 bytes, the first starting `eyJ`.
    static func webTokens(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for candidate in prefixedTokens(bytes, prefix: "eyJ", body: { isTokenBody($0) || $0 == UInt8(ascii: ".") }, minimum: 1) {
            let segments = bytes[candidate].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            if segments.count >= 3, segments[0].count >= 11, segments[1].count >= 8, segments[2].count >= 8 {
                ranges.append(candidate)
            }
        }
        return ranges
    }

    /// `-----BEGIN … PRIVATE KEY-----` to its END line, or to the end of the text.
    static func privateKeys(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let begin = Array("-----BEGIN ".utf8), tail = Array("PRIVATE KEY-----".utf8)
        var index = 0
        while index + begin.count <= bytes.count {
            guard Array(bytes[index..<(index + begin.count)]) == begin else { index += 1; continue }
            let labelEnd = run(bytes, from: index + begin.count) { (0x41...0x5a).contains($0) || $0 == 0x20 }
            guard let tailStart = (index + begin.count...labelEnd).first(where: { start in
                start + tail.count <= bytes.count && Array(bytes[start..<(start + tail.count)]) == tail
            }) else { index += 1; continue }
            var end = bytes.count
            let endMarker = Array("-----END ".utf8)
            var search = tailStart + tail.count
            while search + endMarker.count <= bytes.count {
                if Array(bytes[search..<(search + endMarker.count)]) == endMarker,
                   let close = (search..<bytes.count).first(where: { $0 + tail.count <= bytes.count && Array(bytes[$0..<($0 + tail.count)]) == tail }) {
                    end = close + tail.count
                    break
                }
                search += 1
            }
            ranges.append(index..<end)
            index = end
        }
        return ranges
    }
}
