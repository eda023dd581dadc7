import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// Fitting text to the operator's terminal: prose wrapped to its width (80 columns when it
/// cannot be asked), long commands one argument per line, times in local time.
public enum TextLayout {
    /// The terminal's columns: the tty's size, else $COLUMNS; never under 40. Output that goes
    /// to a file or a pipe is not wrapped (a log is read with grep, not at a terminal).
    public static func terminalWidth(environment: [String: String] = [:]) -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(40, Int(size.ws_col)) }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return max(40, columns) }
        return .max
    }

    /// `text` re-flowed to `width` columns, paragraph by paragraph (a line that starts with
    /// spaces, a `$ ` command or a list marker keeps its own line); each line gets `indent`.
    public static func wrap(_ text: String, width: Int, indent: String = "") -> String {
        var out: [String] = []
        var paragraph: [Substring] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            out.append(contentsOf: fill(paragraph.joined(separator: " "), width: width, indent: indent))
            paragraph = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingWhitespace().isEmpty {
                flush()
                out.append("")
            } else if keepsItsLine(line) {
                flush()
                out.append(contentsOf: fill(String(line), width: width, indent: indent, hanging: true))
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }

    static func keepsItsLine(_ line: Substring) -> Bool {
        line.hasPrefix(" ") || line.hasPrefix("$ ") || line.hasPrefix("- ") || line.hasPrefix("* ")
            || (line.first?.isNumber == true && line.dropFirst().hasPrefix(". "))
    }

    /// Words of `text` in lines of at most `width` columns (a longer word stays whole); with
    /// `hanging`, continuation lines line up under the first word after the line's indent.
    static func fill(_ text: String, width: Int, indent: String, hanging: Bool = false) -> [String] {
        // A line that fits keeps its own spacing (tables, aligned columns).
        if indent.count + text.count <= width { return [indent + text] }
        let leading = hanging ? String(text.prefix { $0 == " " }) : ""
        let words = text.split(separator: " ")
        var lines: [String] = []
        var line = ""
        let isListItem = words.first.map { $0 == "-" || $0 == "*" || $0 == "!" || $0.hasSuffix(".") } == true
        let continuation = indent + leading + (hanging ? (isListItem ? "  " : "    ") : "")
        for word in words {
            let prefix = lines.isEmpty ? indent + leading : continuation
            if !line.isEmpty && prefix.count + line.count + 1 + word.count > width {
                lines.append(prefix + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append((lines.isEmpty ? indent + leading : continuation) + line) }
        return lines.isEmpty ? [indent] : lines
    }

    /// A command as it will run; one argument per line (shell continuation) when it does not
    /// fit in `width` after `indent`, as `phase0 render docker` shows the docker command.
    public static func command(_ display: String, argv: [String], prefix: String, width: Int) -> String {
        guard prefix.count + display.count > width, argv.count > 2 else { return prefix + display }
        let pad = String(repeating: " ", count: prefix.count + 2)
        let quoted = argv.map(shellQuote)
        // Keep `sudo`, the program and its verb (`docker run`) on the first line: that is what
        // the operator reads first.
        var headCount = quoted.first == "sudo" ? 2 : 1
        if quoted.count > headCount + 1, !quoted[headCount].hasPrefix("-") { headCount += 1 }
        let head = quoted.prefix(headCount)
        var lines = [prefix + head.joined(separator: " ") + " \\"]
        for (index, word) in quoted.dropFirst(head.count).enumerated() {
            lines.append(pad + word + (index == quoted.count - head.count - 1 ? "" : " \\"))
        }
        return lines.joined(separator: "\n")
    }

    /// `2026-11-30T21:26:58Z` as a local date and time, `2026-11-30 22:26:58 CET`; the text
    /// as it is when it is not such a time.
    public static func localTime(_ iso: String) -> String {
        let bytes = Array(iso.utf8)
        guard bytes.count == 20, bytes[4] == 45, bytes[10] == 84, bytes[19] == 90,
            let year = Int32(iso.prefix(4)), let month = Int32(iso.dropFirst(5).prefix(2)),
            let day = Int32(iso.dropFirst(8).prefix(2)), let hour = Int32(iso.dropFirst(11).prefix(2)),
            let minute = Int32(iso.dropFirst(14).prefix(2)), let second = Int32(iso.dropFirst(17).prefix(2))
        else { return iso }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        var seconds = timegm(&parts)
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return iso }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S %Z", &local)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
