import Phase0Parsers

/// Secret-looking text, masked: auth keys, passwords, tokens, bearer credentials, URL
/// passwords, private keys. Used for the transcript, the resume file's notes and history,
/// the simulated machine of a practice scenario, and to refuse an answer that looks like a
/// secret. The scanners are in RedactorScanners.swift.
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
    }

    static let rules: [Rule] = [
        Rule(kind: "a Tailscale auth key", triggers: ["tskey-"]) {
            prefixedTokens($0, prefix: "tskey-", body: isTokenBody, minimum: 1, needsBoundary: false, masksPrefix: true)
        },
        Rule(kind: "a Tailscale login link", triggers: ["login.tailscale.com/a/"]) {
            prefixedTokens(
                $0, prefix: "https://login.tailscale.com/a/", body: isAlphanumeric, minimum: 1, needsBoundary: false, masksPrefix: false)
        },
        Rule(kind: "an Authorization header", triggers: ["authorization"], find: authorizationValues),
        Rule(kind: "a bearer token", triggers: ["bearer"], find: bearerTokens),
        Rule(kind: "a password or token setting", triggers: settingTriggers, find: settingValues),
        Rule(kind: "a password or token option", triggers: optionKeywords, find: optionValues),
        Rule(kind: "a password option (-pPASSWORD)", triggers: ["-p"], find: attachedPasswordOptions),
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
        var lower = text.lowercased()
        var bytes: [UInt8]?
        for rule in rules where rule.triggers.contains(where: { lower.contains($0) }) {
            var current = bytes ?? Array(text.utf8)
            let ranges = rule.find(current)
            guard !ranges.isEmpty else { continue }
            for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
                current.replaceSubrange(range, with: mask)
            }
            bytes = current
            lower = String(decoding: current, as: UTF8.self).lowercased()
        }
        return bytes.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// What kind of secret `text` seems to hold, or nil.
    public static func secretKind(in text: String) -> String? {
        let lower = text.lowercased()
        let bytes = Array(text.utf8)
        return rules.first { rule in
            rule.triggers.contains(where: { lower.contains($0) }) && !rule.find(bytes).isEmpty
        }?.kind
    }

    /// Whether `bytes` ends inside a private key (a BEGIN line whose END has not come yet):
    /// output kept in a bounded window must not drop that BEGIN line while the key's body is
    /// still arriving, or the rest of the key would no longer be recognised.
    static func endsInsidePrivateKey(_ bytes: [UInt8]) -> Bool {
        guard let last = privateKeys(bytes).last, last.upperBound == bytes.count else { return false }
        let end = Array("-----END ".utf8)
        let body = bytes[last]
        return !body.indices.contains { index in
            index + end.count <= body.endIndex && body[index..<(index + end.count)].elementsEqual(end)
        }
    }
}
