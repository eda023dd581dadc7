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
                output.write(text + "\n")
                return text
            }
            if atEnd {
                guard !pending.isEmpty else {
                    output.write("\n")
                    return nil
                }
                let text = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                output.write(text + "\n")
                return text
            }
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

/// Unbuffered, so nothing is lost or reordered when a child process writes to the terminal too.
public func writeToStandardOutput(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(n)
    }
}
