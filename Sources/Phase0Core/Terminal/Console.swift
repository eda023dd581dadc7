import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// Where the wizard's words go. Tests capture them; the terminal gets them unbuffered.
public protocol Output: AnyObject {
    func write(_ text: String)
}

public final class StandardOutput: Output {
    public init() {}
    public func write(_ text: String) { writeToStandardOutput(text) }
}

/// What Tab completes at a prompt.
public enum Completion: Equatable {
    case none
    case choices([String])
    case paths
}

/// One line from the operator. nil means end of input, which is never taken as "yes".
public protocol LineReader: AnyObject {
    func readLine(prompt: String, completion: Completion) throws -> String?
    /// The engine took `line` as an answer or a choice: a reader with a history keeps it there
    /// (and only such lines: never a refused or secret-looking one).
    func accepted(_ line: String)
}

extension LineReader {
    public func accepted(_ line: String) {}
}

/// Plain lines from standard input, for pipes and scripts (readline would echo them).
public final class PlainLineReader: LineReader {
    private let output: Output
    private var pending: [UInt8] = []
    private var atEnd = false

    public init(output: Output) { self.output = output }

    public func readLine(prompt: String, completion: Completion) throws -> String? {
        output.write(prompt)
        while true {
            if let newline = pending.firstIndex(of: 0x0a) {
                let line = pending[..<newline]
                pending.removeSubrange(...newline)
                let text = String(decoding: line, as: UTF8.self)
                output.write(Self.echo(text))
                return text
            }
            if atEnd {
                guard !pending.isEmpty else {
                    output.write("\n")
                    return nil
                }
                let text = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                output.write(Self.echo(text))
                return text
            }
            guard InterruptFlag.waitForInput(on: 0) else { throw Interrupted(duringCommand: false) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(0, &buffer, buffer.count)
            if InterruptFlag.isRaised { throw Interrupted(duringCommand: false) }
            if n < 0 {
                if errno == EINTR { continue }
                atEnd = true
            } else if n == 0 {
                atEnd = true
            } else {
                pending.append(contentsOf: buffer[0..<n])
            }
        }
    }
}

extension PlainLineReader {
    /// A piped answer is shown after its prompt, as a terminal would have shown it typed; one
    /// that looks like a secret is shown masked (it is refused, and never echoed back).
    static func echo(_ line: String) -> String { Redactor.redact(line) + "\n" }
}

/// Everything phase0 prints goes through here (StandardOutput, the prompts, StandardError):
/// no byte of an answers, scenario or resume file, a command's output or a typed answer
/// reaches the terminal raw. Unbuffered, so nothing is lost or reordered when a child
/// process writes to the terminal too.
public func writeToStandardOutput(_ text: String) { writeToTerminal(text, fd: 1) }

public func writeToTerminal(_ text: String, fd: Int32) {
    var bytes = Array(TerminalText.escaped(text).utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(n)
    }
}

/// Text as it may reach a terminal: control characters, and the invisible characters that
/// reorder text, are shown as `\u001b`-style escapes; newlines and tabs are kept. The escape
/// is JSON's own, so `--json` output stays valid JSON and means the same.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                shown.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            shown.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        }
        return String(shown)
    }

    /// C0 controls but tab and newline, DEL, C1 controls (a lone 0x9b is a CSI to some
    /// terminals), and the bidirectional overrides and isolates that reorder what is shown.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0a: return false
        case 0x00...0x1f, 0x7f...0x9f: return true
        case 0x061c, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: return true
        default: return false
        }
    }
}

/// The terminal's modes as phase0 found them, put back on the way out: a prompt ended by a
/// signal must not leave the operator's terminal without echo or line editing.
public struct SavedTerminalModes {
    private let saved: termios

    public init?() {
        var modes = termios()
        guard isatty(0) == 1, tcgetattr(0, &modes) == 0 else { return nil }
        saved = modes
    }

    public func restore() {
        var now = termios()
        guard tcgetattr(0, &now) == 0,
            now.c_lflag != saved.c_lflag || now.c_iflag != saved.c_iflag || now.c_oflag != saved.c_oflag
        else { return }
        var modes = saved
        tcsetattr(0, TCSANOW, &modes)
    }
}
