#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An append-only record of every command: when, what, exit status, output (truncated).
/// Each entry is written as it happens, so the record survives a crash. Anything that looks
/// like a secret is redacted before it reaches the disk.
public final class Transcript {
    private let fd: Int32
    public let path: String
    static let outputLimit = 4096

    public init?(path: String) {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return nil }
        fchmod(fd, 0o600)
    }

    deinit { close(fd) }

    public func append(_ text: String) {
        let bytes = Array(Redactor.redact(text).utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fdatasync(fd)
    }

    public func started(_ display: String, at time: String) {
        append("[\(time)] $ \(display)\n")
    }

    public func finished(_ result: CommandResult, at time: String) {
        var output = result.output
        if output.utf8.count > Transcript.outputLimit {
            output = String(decoding: Array(output.utf8.suffix(Transcript.outputLimit)), as: UTF8.self)
            output = "[… truncated …]\n" + output
        }
        let indented = output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n")
        append("[\(time)] exit \(result.exitStatus)\(result.timedOut ? " (timed out)" : "")\n\(indented)\n")
    }
}

/// Secret-looking text, masked: auth keys, passwords, tokens, bearer credentials, URL
/// passwords, private keys. Used for the transcript, the resume file's notes and history,
/// and to refuse an answer that looks like a secret.
public enum Redactor {
    /// (what it is, pattern). A first group, when there is one, is kept ("password=") and
    /// only the rest is masked.
    nonisolated(unsafe) static let patterns: [(kind: String, regex: Regex<AnyRegexOutput>)] = [
        ("a Tailscale auth key", #"tskey-[A-Za-z0-9_-]+"#),
        ("a Tailscale login link", #"(https://login\.tailscale\.com/a/)[A-Za-z0-9]+"#),
        ("an Authorization header", #"(?i)(authorization["']?\s*:\s*["']?(?:bearer|basic|token)\s+)[^\s'"]+"#),
        ("a password or token setting", #"(?i)(\b[a-z0-9_.-]*(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|auth[_-]?key|access[_-]?key|private[_-]?key)[a-z0-9_.-]*["']?\s*[=:]\s*["']?)[^\s'",}]+"#),
        ("a password or token option", #"(?i)(--[a-z-]*(?:auth-?key|password|passwd|token|secret)[= ]["']?)[^\s'"]+"#),
        ("a password in a URL", #"(://[^/\s:@]+:)[^/\s@]+(?=@)"#),
        ("an API key", #"\bsk-[A-Za-z0-9_-]{16,}"#),
        ("a GitHub token", #"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"#),
        ("a Hugging Face token", #"\bhf_[A-Za-z0-9]{30,}"#),
        ("an AWS access key", #"\bAKIA[0-9A-Z]{16}\b"#),
        ("a Slack token", #"\bxox[abprs]-[A-Za-z0-9-]{10,}"#),
        ("a JSON web token", #"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"#),
        ("a private key", #"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"#),
    ].map { ($0.0, try! Regex($0.1)) }

    /// Cheap pre-check: text without any of these (lowercased) cannot match a pattern, and
    /// most text (paths, sizes, unit names) has none, so the regexes rarely run.
    static let triggers = ["tskey", "tailscale.com/a/", "authorization", "pass", "secret", "token", "key", "://",
                           "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "hf_", "akia", "xox", "eyj", "-----begin"]

    static func mayHold(_ text: String) -> Bool {
        let lower = text.lowercased()
        return triggers.contains { lower.contains($0) }
    }

    /// Every save redacts the whole progress (each note, each line of the practice machine's
    /// history), nearly all of it the same text as at the save before; the regexes cost
    /// milliseconds per line. A pure function, so recent results are remembered (bounded).
    private static let memo = Mutex<[String: String]>([:])
    static let memoLimit = 4096

    public static func redact(_ text: String) -> String {
        if let known = memo.withLock({ $0[text] }) { return known }
        var result = text
        if mayHold(text) {
            for (_, pattern) in patterns {
                result = result.replacing(pattern) { match in
                    // Keep the key name ("password=") and mask only the value.
                    if match.output.count > 1, let prefix = match.output[1].substring { return prefix + "[REDACTED]" }
                    return "[REDACTED]"
                }
            }
        }
        memo.withLock {
            if $0.count >= memoLimit { $0.removeAll(keepingCapacity: true) }
            $0[text] = result
        }
        return result
    }

    /// What kind of secret `text` seems to hold, or nil.
    public static func secretKind(in text: String) -> String? {
        guard mayHold(text) else { return nil }
        return patterns.first { (try? $0.regex.firstMatch(in: text)) != nil }?.kind
    }
}

extension Progress {
    /// This progress as it may be written to disk: notes and the practice machine's history
    /// pass through the Redactor. Answers are not touched: an answer that looks like a secret
    /// is refused when given (Engine), so none is ever here.
    func redacted() -> Progress {
        var copy = self
        for index in copy.steps.indices {
            copy.steps[index].note = copy.steps[index].note.map(Redactor.redact)
            for action in copy.steps[index].actions.indices {
                copy.steps[index].actions[action].note = copy.steps[index].actions[action].note.map(Redactor.redact)
            }
        }
        if let history = copy.machine?.history { copy.machine?.history = history.map(Redactor.redact) }
        return copy
    }
}
