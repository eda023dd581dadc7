import Phase0Parsers

/// The Redactor's scanners: each returns the byte ranges of the secrets it finds.
extension Redactor {
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
    static func prefixedTokens(
        _ bytes: [UInt8], prefix: String, body: (UInt8) -> Bool, minimum: Int,
        needsBoundary: Bool = true, masksPrefix: Bool = true
    ) -> [Range<Int>] {
        let p = Array(prefix.utf8)
        var ranges: [Range<Int>] = []
        var index = 0
        while index + p.count <= bytes.count {
            guard bytes[index] == p[0], Array(bytes[index..<(index + p.count)]) == p,
                !needsBoundary || index == 0 || !isWordByte(bytes[index - 1])
            else {
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
    static let settingKeywords = [
        "pass", "pwd", "secret", "token", "api_key", "api-key", "apikey", "auth_key", "auth-key",
        "authkey", "access_key", "access-key", "accesskey", "private_key", "private-key", "privatekey",
    ]
    static let settingTriggers = settingKeywords + ["auth"]
    /// Schemes of an authentication header's value: the credential is the word after them.
    static let authSchemes = ["bearer", "basic", "token", "digest", "negotiate"]

    /// A setting's name that says its value is secret: one holding a keyword (`db_password`,
    /// `OPENAI_API_KEY`), or named just `auth` (`auth:`, `X-Auth:`, `http_auth=`); not
    /// `author` or `oauth_url`.
    static func isSecretName(_ name: String) -> Bool {
        settingKeywords.contains(where: { name.contains($0) })
            || name == "auth" || ["-auth", "_auth", ".auth"].contains(where: { name.hasSuffix($0) })
    }

    /// The secret value starting at `index`: a quoted value to its closing quote, spaces and
    /// all (`password="a b c"`); else the word up to a space, quote, comma or brace. After an
    /// authentication scheme (`auth: Basic dXNl...`) it is the credential that follows.
    static func secretValue(_ bytes: [UInt8], at index: Int) -> Range<Int>? {
        guard index < bytes.count else { return nil }
        if isQuote(bytes[index]) {
            let quote = bytes[index]
            var end = index + 1
            while end < bytes.count && bytes[end] != quote && bytes[end] != 0x0a {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            end = min(end, bytes.count)
            return end > index + 1 ? (index + 1)..<end : nil
        }
        let end = run(bytes, from: index) { !isSpace($0) && !isQuote($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "}") }
        guard end > index else { return nil }
        if authSchemes.contains(where: { hasWord(bytes, at: index, $0) && $0.utf8.count == end - index }) {
            let credential = run(bytes, from: end) { $0 == 0x20 || $0 == 0x09 }
            let credentialEnd = run(bytes, from: credential) { !isSpace($0) && !isQuote($0) }
            if credential > end && credentialEnd > credential { return credential..<credentialEnd }
        }
        return index..<end
    }

    /// `password=x`, `api_key: x`, `"token": "x"`, `--password=x`, `pwd=x`, `auth: x`: a name
    /// that says its value is secret, then `=` or `:`, then the value (masked).
    static func settingValues(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isIdentifier(bytes[index]) else {
                index += 1
                continue
            }
            let nameEnd = run(bytes, from: index, while: isIdentifier)
            let name = String(decoding: bytes[index..<nameEnd].map(lower), as: UTF8.self)
            index = nameEnd
            guard isSecretName(name) else { continue }
            let cursor = skipSpaces(bytes, skipQuote(bytes, nameEnd))
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") || bytes[cursor] == UInt8(ascii: ":"),
                let value = secretValue(bytes, at: skipSpaces(bytes, cursor + 1))
            else { continue }
            // The shell's PWD and OLDPWD hold the working directory, not a password.
            if name == "pwd" || name == "oldpwd", bytes[value.lowerBound] == UInt8(ascii: "/") { continue }
            ranges.append(value)
            index = value.upperBound
        }
        return ranges
    }

    /// `--password hunter2`, `--token "a b"`: an option naming a secret, then its value.
    static func optionValues(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index + 2 < bytes.count {
            guard bytes[index] == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "-") else {
                index += 1
                continue
            }
            let nameEnd = run(bytes, from: index + 2) { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            let name = String(decoding: bytes[(index + 2)..<nameEnd].map(lower), as: UTF8.self)
            index = max(nameEnd, index + 2)
            guard optionKeywords.contains(where: { name.contains($0) }),
                nameEnd < bytes.count, bytes[nameEnd] == UInt8(ascii: "=") || bytes[nameEnd] == UInt8(ascii: " "),
                let value = secretValue(bytes, at: nameEnd + 1)
            else { continue }
            ranges.append(value)
            index = value.upperBound
        }
        return ranges
    }

    /// `Bearer TOKEN` anywhere (a curl command line, a log line), not only after
    /// `Authorization:`. A token has at least 8 characters and one that is not a letter, so
    /// "the bearer instrument" stays as it is.
    static func bearerTokens(_ bytes: [UInt8]) -> [Range<Int>] {
        func isTokenByte(_ b: UInt8) -> Bool { isAlphanumeric(b) || "-._~+/=".utf8.contains(b) }
        func isLetter(_ b: UInt8) -> Bool { (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b) }
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard hasWord(bytes, at: index, "bearer"), index == 0 || !isWordByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            index += "bearer".utf8.count
            let start = run(bytes, from: index) { $0 == 0x20 || $0 == 0x09 }
            let end = run(bytes, from: start, while: isTokenByte)
            guard start > index, end - start >= 8, bytes[start..<end].contains(where: { !isLetter($0) }) else { continue }
            ranges.append(start..<end)
            index = end
        }
        return ranges
    }

    /// `-pSECRET` (mysql, mysqldump): the password glued to `-p`. Not a port (`-p2222`,
    /// `-p127.0.0.1:3000:8080`) nor a cluster of lower-case flags (`-pxzf`).
    static func attachedPasswordOptions(_ bytes: [UInt8]) -> [Range<Int>] {
        func isPortLike(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") }
        var ranges: [Range<Int>] = []
        var index = 0
        while index + 2 < bytes.count {
            let atBoundary = index == 0 || isSpace(bytes[index - 1]) || isQuote(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "=")
            guard atBoundary, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "p") else {
                index += 1
                continue
            }
            let start = index + 2
            let end = run(bytes, from: start) { !isSpace($0) && !isQuote($0) }
            let value = bytes[start..<end]
            index = max(end, start)
            guard value.count >= 4, value.first != UInt8(ascii: "-"),
                value.contains(where: { !(0x61...0x7a).contains($0) }), !value.allSatisfy(isPortLike)
            else { continue }
            ranges.append(start..<end)
        }
        return ranges
    }

    /// `Authorization: Bearer x` (also basic and token schemes), in headers or JSON.
    static func authorizationValues(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard hasWord(bytes, at: index, "authorization") else {
                index += 1
                continue
            }
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
            let userEnd = run(bytes, from: userStart) {
                !isSpace($0) && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "@")
            }
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
        let begin = Array("-----BEGIN ".utf8)
        let tail = Array("PRIVATE KEY-----".utf8)
        var index = 0
        while index + begin.count <= bytes.count {
            guard Array(bytes[index..<(index + begin.count)]) == begin else {
                index += 1
                continue
            }
            let labelEnd = run(bytes, from: index + begin.count) { (0x41...0x5a).contains($0) || $0 == 0x20 }
            guard
                let tailStart = (index + begin.count...labelEnd).first(where: { start in
                    start + tail.count <= bytes.count && Array(bytes[start..<(start + tail.count)]) == tail
                })
            else {
                index += 1
                continue
            }
            var end = bytes.count
            let endMarker = Array("-----END ".utf8)
            var search = tailStart + tail.count
            while search + endMarker.count <= bytes.count {
                if Array(bytes[search..<(search + endMarker.count)]) == endMarker,
                    let close = (search..<bytes.count).first(where: {
                        $0 + tail.count <= bytes.count && Array(bytes[$0..<($0 + tail.count)]) == tail
                    })
                {
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
