import Phase0Core
import Phase0Parsers

/// Validation of the operator's answers. Each returns the value to store, or a reason the
/// operator can act on. What cannot be represented safely where it goes is refused here,
/// before any template or command sees it.
public enum Validate {
    public typealias Outcome = Result<String, ValidationFailure>

    public static func hasControlCharacters(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f || (0x80...0x9f).contains($0.value) }
    }

    /// An absolute, normalized path without `..`, control characters or whitespace problems.
    public static func absolutePath(_ raw: String, what: String, allowSpaces: Bool = true) -> Outcome {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { return .failure(.init("\(what) is required")) }
        guard !hasControlCharacters(value) else { return .failure(.init("\(what) contains a control character (newline, tab, NUL…)")) }
        guard value.hasPrefix("/") else { return .failure(.init("\(what) must be an absolute path (starting with /), not \"\(value)\"")) }
        let parts = value.split(separator: "/")
        guard !parts.contains("..") && !parts.contains(".") else {
            return .failure(.init("\(what) must not contain \".\" or \"..\" parts: write the real path"))
        }
        guard allowSpaces || !value.contains(" ") else { return .failure(.init("\(what) must not contain spaces")) }
        // fstab and /proc/swaps read "\040" as a space, unit files read "\" as an escape:
        // a backslash would make the path mean another path there.
        guard !value.contains("\\") else {
            return .failure(
                .init(
                    "\(what) must not contain a backslash (fstab and unit files read it as an escape, so the path would mean another one)"))
        }
        guard value.utf8.count <= 1024 else { return .failure(.init("\(what) is longer than 1024 bytes")) }
        guard value.unicodeScalars.allSatisfy({ $0.isASCII }) else {
            return .failure(.init("\(what) must be plain ASCII (lookalike characters are a common trap)"))
        }
        return .success(parts.isEmpty ? "/" : "/" + parts.joined(separator: "/"))
    }

    /// A Linux user name as useradd accepts it, that exists on the machine.
    public static func existingUser(_ raw: String, host: Host) -> Outcome {
        let value = raw.trimmingWhitespace()
        guard isPortableName(value, maxLength: 32, allowDot: true), !value.hasPrefix("-") else {
            return .failure(.init("\"\(value)\" is not a valid user name (letters, digits, '.', '_', '-'; at most 32)"))
        }
        guard host.lookupUser(value) != nil else { return .failure(.init("there is no user \"\(value)\" on \(host.name)")) }
        return .success(value)
    }

    public static func isPortableName(_ value: String, maxLength: Int, allowDot: Bool = false) -> Bool {
        guard !value.isEmpty, value.utf8.count <= maxLength else { return false }
        return value.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                || scalar == "_" || scalar == "-" || (allowDot && scalar == ".")
        }
    }

    /// A whole number within `range`.
    public static func integer(_ raw: String, what: String, range: ClosedRange<Int>) -> Outcome {
        let value = raw.trimmingWhitespace()
        guard let number = Int(value), range.contains(number) else {
            return .failure(.init("\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(value)\""))
        }
        return .success(String(number))
    }

    /// A swapfile size: binary units, at least 1G; normalized to fallocate's form ("128G").
    public static func swapSize(_ raw: String) -> Outcome {
        switch ByteSize.parse(raw) {
        case .failure(let failure): return .failure(failure)
        case .success(let bytes):
            guard bytes >= ByteSize.giB else { return .failure(.init("a swapfile under 1G cannot help; the guide uses 128G")) }
            guard bytes % ByteSize.miB == 0 else { return .failure(.init("use a whole number of M or G")) }
            if bytes % ByteSize.giB == 0 { return .success("\(bytes / ByteSize.giB)G") }
            return .success("\(bytes / ByteSize.miB)M")
        }
    }

    /// A tmux session name tmux keeps as typed (it rewrites ':' and '.').
    public static func tmuxSession(_ raw: String) -> Outcome {
        let value = raw.trimmingWhitespace()
        guard isPortableName(value, maxLength: 64), !value.hasPrefix("-") else {
            return .failure(.init("a tmux session name uses letters, digits, '_' and '-' only (tmux rewrites ':' and '.')"))
        }
        // The agent's tmux server takes a socket of this name (tmux -L NAME); "default" is the
        // socket of everyone's own tmux, which the agent must never share.
        guard value != "default" else {
            return .failure(
                .init(
                    "\"default\" is the name of tmux's own socket, where your own sessions live; the agent's server needs its own: choose another name (the guide's is vybn)"
                ))
        }
        return .success(value)
    }

    /// A systemd unit name with the expected suffix.
    public static func unitName(_ raw: String, suffix: String = ".service") -> Outcome {
        let value = raw.trimmingWhitespace()
        let withSuffix = value.hasSuffix(suffix) ? value : value + suffix
        let stem = String(withSuffix.dropLast(suffix.count))
        guard isPortableName(stem.replacing("@", with: "-").replacing(":", with: "-"), maxLength: 200, allowDot: true),
            !stem.hasPrefix("-")
        else {
            return .failure(.init("\"\(value)\" is not a valid unit name (letters, digits, ':', '_', '.', '@', '-')"))
        }
        return .success(withSuffix)
    }

    /// An http URL of a local service, strict enough to appear unquoted in a unit and a shell.
    public static func localHTTPURL(_ raw: String, what: String) -> Outcome {
        let value = raw.trimmingWhitespace()
        guard value.hasPrefix("http://") else {
            return .failure(.init("\(what) must start with http:// (for example http://127.0.0.1:11434)"))
        }
        let rest = value.dropFirst("http://".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let authority = String(rest.first ?? "")
        let pieces = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, let port = Int(pieces[1]), (1...65535).contains(port),
            pieces[0].unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-")
            })
        else {
            return .failure(.init("\(what) must look like http://HOST:PORT with a plain host name or address"))
        }
        guard rest.count == 1 || rest[1].isEmpty else { return .failure(.init("\(what) must not have a path")) }
        return .success("http://\(pieces[0]):\(port)")
    }

    /// A Docker container or volume name.
    public static func dockerName(_ raw: String, what: String) -> Outcome {
        let value = raw.trimmingWhitespace()
        guard let first = value.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first),
            isPortableName(value, maxLength: 128, allowDot: true)
        else {
            return .failure(.init("\(what) must start with a letter or digit and use letters, digits, '_', '.', '-'"))
        }
        return .success(value)
    }

    /// A Docker image reference (registry/name:tag or @digest), as the CLI accepts it.
    public static func imageReference(_ raw: String) -> Outcome {
        let value = raw.trimmingWhitespace()
        let allowed = value.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-/:@".unicodeScalars.contains($0))
        }
        guard !value.isEmpty, allowed, !value.hasPrefix("-"), value.utf8.count <= 255,
            value.first!.isLetter || value.first!.isNumber
        else {
            return .failure(.init("\"\(value)\" is not a Docker image reference like ghcr.io/open-webui/open-webui:main"))
        }
        return .success(value)
    }

    public static func port(_ raw: String) -> Outcome {
        integer(raw, what: "the port", range: 1...65535)
    }

    public static func choice(_ raw: String, among options: [String]) -> Outcome {
        let value = raw.trimmingWhitespace().lowercased()
        guard options.contains(value) else { return .failure(.init("answer one of: \(options.joined(separator: ", "))")) }
        return .success(value)
    }
}

extension Result where Success == String, Failure == ValidationFailure {
    /// The accepted value, or the refusal thrown with `what` in front ("webuiPort: the port
    /// must be a whole number…"), for values read back rather than asked.
    public func named(_ what: String) throws -> String {
        switch self {
        case .success(let value): return value
        case .failure(let failure): throw ValidationFailure("\(what): \(failure.reason)")
        }
    }
}
