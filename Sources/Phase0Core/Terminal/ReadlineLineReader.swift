import CReadline
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// GNU readline at a terminal: line editing, a history of accepted answers kept beside the
/// resume file (History.swift), and Tab completion of the current prompt's choices or of paths.
/// readline is loaded here, when a terminal needs it (Sources/CReadline); if libreadline.so.8
/// cannot be loaded, lines are read plainly, as from a pipe, after saying so.
public final class ReadlineLineReader: LineReader {
    private let history: AnswerHistory?
    private let plain: PlainLineReader?

    /// `paths` lists the completions of a typed path prefix (a directory ends in "/"); nil
    /// completes from this computer's files (readline's own). Practice passes the simulated
    /// Spark's files, so Tab offers what the procedure will find there.
    /// `history`: where accepted answers are kept (nil keeps none, as in a dry run).
    public init(history: AnswerHistory?, paths: ((String) -> [String])? = nil) {
        self.history = history
        guard phase0_rl_available() != 0 else {
            writeToStandardOutput("(GNU readline, libreadline.so.8, could not be loaded: no line editing.)\n")
            plain = PlainLineReader(output: StandardOutput())
            return
        }
        plain = nil
        ReadlineLineReader.pathLister = paths
        phase0_rl_set_readline_name(ReadlineLineReader.programName)
        // Readline's own handlers would re-raise SIGINT after cleanup; ours only raise a flag,
        // and our getc turns it into end of line so the caller can stop in order.
        phase0_rl_set_catch_signals(0)
        phase0_rl_set_getc(ReadlineLineReader.getCharacter)
        phase0_rl_set_completion(ReadlineLineReader.complete)
        // Bracketed paste wraps pasted text in escape codes that scripts and tests trip on.
        _ = phase0_rl_variable_bind("enable-bracketed-paste", "off")
        phase0_rl_using_history()
        for line in history?.load() ?? [] { phase0_rl_add_history(line) }
    }

    nonisolated(unsafe) private static let programName: UnsafePointer<CChar> = UnsafePointer(strdup("phase0")!)
    nonisolated(unsafe) static var currentChoices: [String] = []
    nonisolated(unsafe) static var completingPaths = false
    nonisolated(unsafe) static var pathLister: ((String) -> [String])?

    public func readLine(prompt: String, completion: Completion) throws -> String? {
        if let plain { return try plain.readLine(prompt: prompt, completion: completion) }
        switch completion {
        case .none:
            ReadlineLineReader.currentChoices = []
            ReadlineLineReader.completingPaths = false
        case .choices(let choices):
            ReadlineLineReader.currentChoices = choices
            ReadlineLineReader.completingPaths = false
        case .paths:
            ReadlineLineReader.currentChoices = []
            ReadlineLineReader.completingPaths = true
        }
        // readline expects the whole prompt on its line; print any leading lines ourselves.
        // The prompt can quote a value from a file: escaped, like everything phase0 prints.
        var promptLine = prompt
        if let lastNewline = prompt.lastIndex(of: "\n") {
            writeToStandardOutput(String(prompt[...lastNewline]))
            promptLine = String(prompt[prompt.index(after: lastNewline)...])
        }
        guard let raw = phase0_rl_readline(TerminalText.escaped(promptLine)) else {
            if InterruptFlag.isRaised { throw Interrupted(duringCommand: false) }
            writeToStandardOutput("\n")
            return nil
        }
        defer { free(raw) }
        if InterruptFlag.isRaised { throw Interrupted(duringCommand: false) }
        // Not in the history yet: only a line the engine accepts goes there (`accepted`).
        return String(cString: raw)
    }

    public func accepted(_ line: String) {
        guard AnswerHistory.mayKeep(line) else { return }
        if plain == nil { phase0_rl_add_history(line) }
        history?.append(line)
    }

    /// Readline's input: one byte at a time, and end of input as soon as Ctrl-C was pressed
    /// (readline's own getc would retry the interrupted read and keep waiting).
    private static let getCharacter: @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32 = { stream in
        var byte: UInt8 = 0
        let fd = stream.map { fileno($0) } ?? 0
        while true {
            guard InterruptFlag.waitForInput(on: fd) else { return EOF }
            let n = read(fd, &byte, 1)
            if n == 1 { return Int32(byte) }
            if n < 0 && errno == EINTR { continue }
            return EOF
        }
    }

    private static let complete:
        @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, _, _ in
            if ReadlineLineReader.completingPaths {
                guard let lister = ReadlineLineReader.pathLister else {
                    phase0_rl_set_completion_over(0)
                    return nil  // readline's own filename completion
                }
                let found = lister(text.map { String(cString: $0) } ?? "")
                // A directory completes to "DIR/" so the next Tab goes on inside it: no space after.
                if found.count == 1 && found[0].hasSuffix("/") { phase0_rl_set_append_character(0) }
                ReadlineLineReader.currentChoices = found
            }
            phase0_rl_set_completion_over(1)
            guard !ReadlineLineReader.currentChoices.isEmpty else { return nil }
            return phase0_rl_completion_matches(text, ReadlineLineReader.generateChoice)
        }

    nonisolated(unsafe) private static var generatorIndex = 0
    private static let generateChoice: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { text, state in
        if state == 0 { ReadlineLineReader.generatorIndex = 0 }
        let prefix = text.map { String(cString: $0) } ?? ""
        let choices = ReadlineLineReader.currentChoices
        while ReadlineLineReader.generatorIndex < choices.count {
            let choice = choices[ReadlineLineReader.generatorIndex]
            ReadlineLineReader.generatorIndex += 1
            if choice.hasPrefix(prefix) { return strdup(choice) }
        }
        return nil
    }
}
