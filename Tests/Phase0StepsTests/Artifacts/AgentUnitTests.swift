@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

/// The systemd unit as rendered: what it says, hostile values meaning exactly themselves, and
/// the real systemd-analyze verify's verdict.
@Suite struct AgentUnitTests {

    static let guide = AgentUnitSettings(user: "vybnz69", home: "/home/vybnz69", agentDir: "/home/vybnz69/Vybn/spark",
                                         venvPython: "/home/vybnz69/.venv/spark/bin/python", tmuxSession: "vybn",
                                         unitName: "vybn-agent.service", ollamaUnit: "ollama.service",
                                         ollamaURL: "http://127.0.0.1:11434")

    /// Writes `unit` to a temp dir and runs the real systemd-analyze verify; returns its output.
    func verify(_ unit: String, in directory: TempDir) throws -> String {
        let analyze = try Program.tool("systemd-analyze", package: "systemd")
        let file = directory.path + "/vybn-agent.service"
        try unit.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Program.run([analyze, "verify", file])
        // systemd 252 exits 0 even on "Unknown key": any output is a failure.
        return result.output + (result.status == 0 ? "" : "(exit status \(result.status))")
    }

    func stub(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "#!/bin/sh\nexit 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    @Test func theUnitSaysWhatTheGuideNeeds() throws {
        let text = try AgentUnit.render(Self.guide)
        #expect(!text.contains("{{"))
        let unit = SimUnitFile(text)
        func one(_ key: String) throws -> String? { try unit.setting("Service", key) }
        #expect(try one("Type") == "forking")
        #expect(try one("Restart") == "always")
        #expect(try one("RestartSec") == "10")
        #expect(try one("User") == "vybnz69")
        #expect(try one("PrivateTmp") == "no")
        #expect(try one("WorkingDirectory") == "/home/vybnz69/Vybn/spark")
        #expect(try one("TimeoutStartSec") == "150")
        let environment = try unit.environment()
        #expect(environment["HOME"] == "/home/vybnz69" && environment["LANG"] == "C.UTF-8")
        #expect(environment[AgentUnit.configVariable] == (try AgentUnit.configHash(Self.guide)))
        #expect(unit.values("Unit", "After") == ["network-online.target ollama.service"])
        let pre = try SimUnitFile.execArgv(try #require(unit.values("Service", "ExecStartPre").first))
        #expect(pre.first == "/usr/bin/curl" && pre.last == "http://127.0.0.1:11434/api/tags")
        #expect(pre.contains("--retry-max-time") && pre.contains("--max-time"))
        let start = try SimUnitFile.execArgv(try #require(unit.values("Service", "ExecStart").first))
        #expect(start == ["/usr/bin/tmux", "-L", "vybn", "new-session", "-d", "-s", "vybn", "/home/vybnz69/.venv/spark/bin/python",
                          "/home/vybnz69/Vybn/spark/tui.py"])
        let stop = try SimUnitFile.execArgv(try #require(unit.values("Service", "ExecStop").first))
        #expect(stop == ["/usr/bin/tmux", "-L", "vybn", "kill-session", "-t", "=vybn"])
        #expect(unit.values("Install", "WantedBy") == ["multi-user.target"])
    }

    @Test func realSystemdAnalyzeAcceptsTheRenderedUnit() throws {
        let directory = try TempDir("unit")
        defer { directory.remove() }
        var settings = Self.guide
        settings.tmuxPath = directory.path + "/bin/tmux"
        settings.curlPath = directory.path + "/bin/curl"
        try stub(settings.tmuxPath)
        try stub(settings.curlPath)
        let output = try verify(try AgentUnit.render(settings), in: directory)
        #expect(output.isEmpty, "systemd-analyze verify: \(output)")
        // The test can fail: an unknown key is reported (and exits 0 on systemd 252).
        let broken = try AgentUnit.render(settings).replacing("RestartSec=10", with: "RestartSec=10\nRestartSecs=10")
        #expect(try verify(broken, in: directory).contains("RestartSecs"))
    }

    /// Values that must reach systemd exactly as they are. Each is made a directory holding the
    /// executable tmux (systemd-analyze checks the executable exists, so it must read the path
    /// exactly), and is also the agent directory, the home and part of the python path.
    static let meanThemselves = ["per%cent", "%h", "%%", "dollar$HOME", "${PATH}", "$$", "it's", "say \"hi\"",
                                 "two words", "back\\slash", "semi;colon", ";", "`tick`", "#hash", "-dash", "~", "*glob?", "a=b"]

    @Test(arguments: meanThemselves)
    func aHostileValueMeansExactlyItself(_ value: String) throws {
        let directory = try TempDir("unit")
        defer { directory.remove() }
        let hostile = directory.path + "/" + value
        // systemd refuses quotes and backslashes in an Exec program (tested below): there the
        // value is only in the arguments, the directory and the environment.
        let programSafe = !value.contains(where: { "\"'\\".contains($0) })
        var settings = Self.guide
        settings.agentDir = hostile
        settings.home = hostile
        settings.venvPython = hostile + "/.venv/bin/python"
        settings.tmuxPath = (programSafe ? hostile : directory.path + "/bin") + "/tmux"
        settings.curlPath = directory.path + "/curl"
        try stub(settings.tmuxPath)
        try stub(settings.curlPath)
        let text = try AgentUnit.render(settings)
        // The real systemd reads the path of tmux back exactly, and nothing else trips it.
        let output = try verify(text, in: directory)
        #expect(output.isEmpty, "\(value): \(output)")
        // And every value reads back as itself.
        let unit = SimUnitFile(text)
        #expect(try unit.setting("Service", "WorkingDirectory") == hostile)
        #expect(try unit.environment()["HOME"] == hostile)
        let start = try SimUnitFile.execArgv(try #require(unit.values("Service", "ExecStart").first))
        #expect(start == [settings.tmuxPath, "-L", "vybn", "new-session", "-d", "-s", "vybn", hostile + "/.venv/bin/python", hostile + "/tui.py"])
    }

    @Test func theEscapingIsWhatMakesThoseWork() throws {
        // Without escaping, the real systemd reads other paths: the check above can fail.
        for value in ["%h", "two words"] {
            let directory = try TempDir("unit")
            defer { directory.remove() }
            var settings = Self.guide
            settings.tmuxPath = directory.path + "/" + value + "/tmux"
            settings.curlPath = directory.path + "/curl"
            try stub(settings.tmuxPath)
            try stub(settings.curlPath)
            let escaped = try UnitSyntax.execArgument(settings.tmuxPath, what: "tmux")
            let naive = try AgentUnit.render(settings).replacing(escaped, with: settings.tmuxPath)
            #expect(try verify(naive, in: directory).contains("is not executable"), "\(value)")
        }
    }

    @Test func valuesAUnitCannotHoldAreRefusedWithTheReason() throws {
        let cases: [(WritableKeyPath<AgentUnitSettings, String>, String, String)] = [
            (\.agentDir, "/home/vybnz69/Vybn/spark\nExecStartPre=/bin/rm -rf /", "control character"),
            (\.agentDir, "/home/vybnz69/spark\\", "backslash"),
            (\.agentDir, "/home/vybnz69/spark ", "space"),
            (\.home, "/home/vybnz69\t", "control character"),
            (\.venvPython, "/usr/bin/python3\r", "control character"),
            (\.user, "vybnz69\u{7f}", "control character"),
            (\.tmuxPath, "/opt/it's/tmux", "quote or a backslash"),
            (\.curlPath, "/opt/back\\slash/curl", "quote or a backslash"),
        ]
        for (path, value, reason) in cases {
            var settings = Self.guide
            settings[keyPath: path] = value
            #expect {
                _ = try AgentUnit.render(settings)
            } throws: { error in "\(error)".contains(reason) }
        }
        // From answers, the syntax checks refuse first, each with its key.
        let host = PracticeHost(machine: SimulatedSpark())
        for (key, value) in [("tmuxSession", "vy bn"), ("tmuxSession", "a;b"), ("tmuxSession", "%h"), ("user", "root;reboot"),
                             ("unitName", "x y.service"), ("ollamaURL", "http://127.0.0.1:11434 --output /etc/passwd"),
                             ("agentDir", "relative/spark"), ("venvPython", "/a/../b")] {
            #expect {
                _ = try AgentUnit.render(try AgentUnit.settings(answers: [key: value], host: host))
            } throws: { error in "\(error)".hasPrefix(key + ":") }
        }
    }
}
