/// Edits `/etc/fstab` by field, never by pattern: the guide's `sed 's|^.*swap\.img|#&|'`
/// would also comment out any line that merely mentions swap.img, and its `tee -a` adds a
/// second swapfile line every time it runs. Every other line is kept byte for byte.
public enum Fstab {
    public struct Edit: Equatable, Sendable {
        public var text: String
        /// What changed, in words, for the confirmation screen; empty when nothing changes.
        public var changes: [String]
    }

    /// The first field of an active (uncommented) entry, or nil for comments and blank lines.
    public static func device(of line: Substring) -> Substring? {
        guard let first = fields(line).first, first.first != "#" else { return nil }
        return Substring(first)
    }

    /// Lines and fields are cut on bytes, as mount reads the file, not on Swift Characters:
    /// "\r\n" is one Character, so a CRLF line (or a last line ending in "\r" before the "\n"
    /// phase0 adds) would hide a line break, and phase0 would not see its own swapfile line.
    static func lines(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }

    static func fields(_ line: Substring) -> [Substring.UnicodeScalarView.SubSequence] {
        line.unicodeScalars.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    public static func entryLine(swapfile: String) -> String { "\(swapfile) none swap sw 0 0" }

    /// Comments out the active entries of `retire` and makes sure exactly one active entry
    /// mounts `swapfile` as swap. Running it on its own output changes nothing.
    public static func ensureSwapfile(in text: String, swapfile: String, retire: [String] = ["/swap.img"]) -> Edit {
        var lines = lines(text)
        let endsWithNewline = text.isEmpty || text.unicodeScalars.last == "\n"
        if endsWithNewline, lines.last == "" { lines.removeLast() }
        var changes: [String] = []
        var sawSwapfile = false
        for index in lines.indices {
            guard let device = device(of: lines[index][...]) else { continue }
            if retire.contains(String(device)) && String(device) != swapfile {
                lines[index] = "#" + lines[index]
                changes.append("comment out the \(device) entry (it stays active until the next reboot)")
            } else if String(device) == swapfile {
                if sawSwapfile || !isSwapEntry(lines[index][...]) {
                    lines[index] = "#" + lines[index]
                    changes.append("comment out a \(sawSwapfile ? "duplicate" : "non-swap") \(swapfile) entry")
                } else {
                    sawSwapfile = true
                }
            }
        }
        if !sawSwapfile {
            lines.append(entryLine(swapfile: swapfile))
            changes.append("add \"\(entryLine(swapfile: swapfile))\"")
        }
        let result = changes.isEmpty ? text : lines.joined(separator: "\n") + "\n"
        return Edit(text: result, changes: changes)
    }

    static func isSwapEntry(_ line: Substring) -> Bool {
        let fields = fields(line)
        return fields.count >= 3 && String(Substring(fields[2])) == "swap"
    }

    /// Active swap entries, as devices or files.
    public static func activeSwapDevices(in text: String) -> [String] {
        lines(text).compactMap { line in
            guard let device = device(of: line[...]), isSwapEntry(line[...]) else { return nil }
            return String(device)
        }
    }
}
