@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// A value escaped by UnitSyntax means exactly itself to systemd (issue 5): read back the
/// way systemd reads a unit (systemd.syntax(7): words unquoted and C-unescaped, then `%%`
/// specifiers, then `$$` in Exec lines), it is the value again; and the real
/// `systemd-analyze verify` accepts a unit holding all of them without a word.
@Suite struct HostileUnitSyntaxTests {
    /// Every corpus value plus a seeded set of random printable strings.
    static var values: [String] {
        var random = SplitMix64(seed: 5)
        let alphabet = Array(##" !"#$%&'()*+,-./0123456789:;<=>?@AZaz[\]^_`{|}~é😀"##)
        let generated = (0..<300).map { _ in
            String((0..<Int(random.next() % 24 + 1)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        return HostileCorpus.all.map(\.value) + generated
    }

    /// systemd's extract_first_word with EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, for the escapes
    /// UnitSyntax can produce (\\ and \") plus the usual C ones.
    static func words(_ text: String) -> [String]? {
        var words: [String] = []
        var current: String?
        var quote: Character?
        var iterator = Array(text).makeIterator()
        while let char = iterator.next() {
            if char == "\\" {
                guard let next = iterator.next() else { return nil }
                let escapes: [Character: Character] = ["n": "\n", "t": "\t", "\\": "\\", "\"": "\"", "'": "'", " ": " "]
                guard let unescaped = escapes[next] else { return nil }
                current = (current ?? "") + String(unescaped)
            } else if let open = quote {
                if char == open { quote = nil } else { current = (current ?? "") + String(char) }
            } else if char == "\"" || char == "'" {
                quote = char
                current = current ?? ""
            } else if char == " " || char == "\t" {
                if let word = current { words.append(word) }
                current = nil
            } else {
                current = (current ?? "") + String(char)
            }
        }
        guard quote == nil else { return nil }
        if let word = current { words.append(word) }
        return words
    }

    /// Undoes one doubling (`%%` or `$$`); nil when a single one is left, which systemd would
    /// expand as a specifier or a variable.
    static func undouble(_ text: String, _ marker: Character) -> String? {
        var result = ""
        var iterator = Array(text).makeIterator()
        while let char = iterator.next() {
            guard char == marker else { result.append(char); continue }
            guard iterator.next() == marker else { return nil }
            result.append(marker)
        }
        return result
    }

    @Test func execArgumentsReadBackAsTheValue() throws {
        var refused = 0
        for raw in Self.values {
            guard let escaped = try? UnitSyntax.execArgument(raw, what: "value") else {
                refused += 1
                #expect(raw.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }, "\(raw.debugDescription) refused without a control character")
                continue
            }
            let words = try #require(Self.words(escaped), "\(escaped) does not parse")
            #expect(words.count == 1, "\(raw.debugDescription) became \(words.count) arguments: \(escaped)")
            let meaning = words.first.flatMap { Self.undouble($0, "%") }.flatMap { Self.undouble($0, "$") }
            #expect(meaning == raw, "\(raw.debugDescription) -> \(escaped) -> \(String(describing: meaning))")
        }
        #expect(refused > 0 && refused < Self.values.count)
    }

    @Test func environmentAssignmentsReadBackAsTheValue() throws {
        for raw in Self.values {
            guard let escaped = try? UnitSyntax.environment("PHASE0_TEST", raw) else { continue }
            let undoubled = try #require(Self.undouble(escaped, "%"), "\(escaped) holds a specifier")
            let words = try #require(Self.words(undoubled), "\(escaped) does not parse")
            #expect(words == ["PHASE0_TEST=" + raw], "\(raw.debugDescription) -> \(escaped) -> \(words)")
        }
    }

    @Test func plainSettingsReadBackAsTheValue() throws {
        // A setting is taken verbatim, trimmed, then specifiers: the validators trim first.
        for raw in Self.values.map({ $0.trimmingWhitespace() }) where !raw.isEmpty {
            guard let escaped = try? UnitSyntax.value(raw, what: "value") else { continue }
            #expect(Self.undouble(escaped, "%") == raw, "\(raw.debugDescription) -> \(escaped)")
        }
    }

    /// The real parser: a unit holding every escapable value, verified by systemd-analyze
    /// (which exits 0 even when it complains, so any output is a failure).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdAnalyzeAcceptsEveryEscapedValue() throws {
        let scratch = try TempDir("unit-syntax")
        defer { scratch.remove() }
        let directory = scratch.path
        var lines = ["[Unit]", "Description=phase0 unit syntax test", "", "[Service]", "Type=oneshot"]
        var arguments: [String] = []
        for raw in Self.values {
            guard let argument = try? UnitSyntax.execArgument(raw, what: "value"),
                  let environment = try? UnitSyntax.environment("PHASE0_TEST", raw) else { continue }
            arguments.append(argument)
            lines.append("Environment=" + environment)
        }
        lines.append("ExecStart=/bin/echo " + arguments.joined(separator: " "))
        try write(lines.joined(separator: "\n") + "\n", to: directory + "/phase0-syntax-test.service", mode: 0o644)
        let verified = try Program.run(["/usr/bin/systemd-analyze", "verify", directory + "/phase0-syntax-test.service"],
                                   environment: ["PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "notice"])
        #expect(verified.status == 0 && verified.output.trimmingWhitespace().isEmpty, "\(verified.output.prefix(2000))")

        // The control: the same check does see an unescaped specifier.
        try write("[Service]\nType=oneshot\nExecStart=/bin/echo \"100%z\"\n", to: directory + "/phase0-control.service", mode: 0o644)
        let control = try Program.run(["/usr/bin/systemd-analyze", "verify", directory + "/phase0-control.service"],
                                  environment: ["PATH": "/usr/bin:/bin", "SYSTEMD_LOG_LEVEL": "notice"])
        #expect(control.output.contains("specifier"), "systemd-analyze did not notice a bad specifier: \(control.output)")
    }
}
