@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// The unit and the docker command as rendered: their meaning, hostile values, and the real
/// tools' verdicts (systemd-analyze verify, the docker CLI's own flag parsing).
@Suite struct RenderTests {
    typealias H = StepsAHarness

    static let guide = AgentUnitSettings(user: "vybnz69", home: "/home/vybnz69", agentDir: "/home/vybnz69/Vybn/spark",
                                         venvPython: "/home/vybnz69/.venv/spark/bin/python", tmuxSession: "vybn",
                                         unitName: "vybn-agent.service", ollamaUnit: "ollama.service",
                                         ollamaURL: "http://127.0.0.1:11434")

    /// Writes `unit` to a temp dir and runs the real systemd-analyze verify; returns its output.
    func verify(_ unit: String, in directory: URL) throws -> String {
        let analyze = try H.tool("systemd-analyze", package: "systemd")
        let file = directory.appendingPathComponent("vybn-agent.service")
        try unit.write(to: file, atomically: true, encoding: .utf8)
        let result = try H.runTool(analyze, ["verify", file.path])
        // systemd 252 exits 0 even on "Unknown key": any output is a failure.
        return result.output + (result.status == 0 ? "" : "(exit status \(result.status))")
    }

    func stub(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "#!/bin/sh\nexit 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    // MARK: - The unit

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
        let directory = try H.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
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
        let directory = try H.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
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
            let directory = try H.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
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

    // MARK: - The docker command

    static func webui(hostNetwork: Bool, port: String = "3000") -> WebUISettings {
        WebUISettings(image: "ghcr.io/open-webui/open-webui:main", container: "open-webui", volume: "open-webui",
                      port: port, hostNetwork: hostNetwork, ollamaURL: "http://127.0.0.1:11434")
    }

    @Test func theDockerCommandCarriesTheGuidesCapsAndStaysOnLoopback() throws {
        for hostNetwork in [true, false] {
            let argv = try WebUIContainer.argv(Self.webui(hostNetwork: hostNetwork))
            #expect(Array(argv.prefix(3)) == ["docker", "run", "--detach"])
            #expect(argv.last == "ghcr.io/open-webui/open-webui:main")
            for element in ["--name=open-webui", "--restart=always", "--memory=2g", "--memory-swap=4g",
                            "--volume=open-webui:/app/backend/data", "--env=RAG_EMBEDDING_ENGINE=openai",
                            "--env=AUDIO_STT_ENGINE=openai", "--env=IMAGE_GENERATION_ENGINE=openai"] {
                #expect(argv.contains(element), "\(element)")
            }
            #expect(argv.allSatisfy { !$0.contains("\n") && !$0.hasPrefix("#") && !$0.isEmpty })
            if hostNetwork {
                #expect(argv.contains("--network=host") && argv.contains("--env=HOST=127.0.0.1") && argv.contains("--env=PORT=3000"))
                #expect(argv.contains("--env=OLLAMA_BASE_URL=http://127.0.0.1:11434"))
                #expect(!argv.contains { $0.hasPrefix("--publish") })
            } else {
                #expect(argv.contains("--publish=127.0.0.1:3000:8080"))
                #expect(argv.contains("--add-host=host.docker.internal:host-gateway"))
                #expect(argv.contains("--env=OLLAMA_BASE_URL=http://host.docker.internal:11434"))
            }
        }
    }

    @Test func theConfigLabelFollowsEveryValue() throws {
        let base = try WebUIContainer.configHash(Self.webui(hostNetwork: true))
        #expect(base.count == 16)
        #expect(try WebUIContainer.configHash(Self.webui(hostNetwork: true)) == base)
        #expect(try WebUIContainer.configHash(Self.webui(hostNetwork: false)) != base)
        #expect(try WebUIContainer.configHash(Self.webui(hostNetwork: true, port: "3001")) != base)
        var image = Self.webui(hostNetwork: true)
        image.image = "ghcr.io/open-webui/open-webui:v0.6.5"
        #expect(try WebUIContainer.configHash(image) != base)
    }

    @Test func dockerValuesThatCouldBendTheArgvAreRefused() throws {
        for (key, value) in [("webuiContainer", "open-webui --privileged"), ("webuiContainer", "-x"), ("webuiVolume", "/:/host"),
                             ("webuiImage", "img\n--privileged"), ("webuiImage", "--privileged"), ("webuiPort", "3000:22"),
                             ("webuiPort", "0"), ("ollamaURL", "http://x:1 --env=A=b")] {
            #expect {
                _ = try WebUIContainer.argv(try WebUIContainer.settings(answers: [key: value], hostNetwork: true))
            } throws: { error in "\(error)".hasPrefix(key + ":") }
        }
    }

    /// The real docker CLI parses every flag before it needs a daemon: pointed at a socket that
    /// does not exist, a well-formed command fails only to connect.
    func dockerCLI(_ argv: [String]) throws -> String {
        let docker = try H.tool("docker", package: "the docker CLI (docker.io or docker-ce-cli)")
        let config = try H.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: config) }
        let environment = ["DOCKER_HOST": "unix:///nonexistent/phase0-test.sock", "DOCKER_CONFIG": config.path,
                           "PATH": "/usr/bin:/bin", "HOME": config.path]
        let result = try H.runTool(docker, Array(argv.dropFirst()), environment: environment)
        #expect(result.status != 0)
        return result.output
    }

    @Test func theRealDockerCLIAcceptsEveryFlag() throws {
        for hostNetwork in [true, false] {
            let output = try dockerCLI(try WebUIContainer.argv(Self.webui(hostNetwork: hostNetwork)))
            #expect(output.contains("Cannot connect to the Docker daemon at unix:///nonexistent/phase0-test.sock"), "\(output)")
            #expect(!output.contains("unknown flag") && !output.contains("invalid"), "\(output)")
        }
        // The test can fail: a bad flag or value is caught by the same parsing.
        var argv = try WebUIContainer.argv(Self.webui(hostNetwork: true))
        argv.insert("--bogus-flag", at: 3)
        #expect(try dockerCLI(argv).contains("unknown flag: --bogus-flag"))
        let badValue = try WebUIContainer.argv(Self.webui(hostNetwork: false)).map { $0 == "--memory=2g" ? "--memory=2q" : $0 }
        #expect(try dockerCLI(badValue).contains("invalid argument \"2q\""))
    }

    @Test func theShownCommandIsTheArgvForAShell() throws {
        let sh = try H.tool("sh", package: "a POSIX shell")
        let argv = try WebUIContainer.argv(Self.webui(hostNetwork: false))
        let shown = WebUIContainer.shellDisplay(argv)
        #expect(shown.split(separator: "\n").count == argv.count - 1)   // "docker run" share the first line
        #expect(shown.split(separator: "\n").dropLast().allSatisfy { $0.hasSuffix(" \\") })
        // The shell reads back the same argv.
        let script = "printf '%s\\n'" + shown.dropFirst("docker".count)
        let printed = try H.runTool(sh, ["-c", script]).output
        #expect(printed.split(separator: "\n").map(String.init) == Array(argv.dropFirst()))
    }

    // MARK: - phase0 render

    func render(_ artifact: RenderCommand.Artifact, answersFile: String? = nil, state: String? = nil) throws -> (Int32, String, String) {
        let directory = try H.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = WizardConfig()
        config.hosts = PracticeHostFactory()
        config.statePath = state ?? directory.path + "/state.json"
        var answersPath: String?
        if let answersFile {
            answersPath = directory.path + "/answers.json"
            try answersFile.write(toFile: answersPath!, atomically: true, encoding: .utf8)
        }
        let output = CapturedOutput(), notes = CapturedOutput()
        let status = RenderCommand.run(artifact, config: config, answersPath: answersPath, output: output, notes: notes)
        return (status, output.text, notes.text)
    }

    @Test func renderPrintsTheUnitForDefaultsAndForAnswers() throws {
        let (status, text, _) = try render(.unit)
        #expect(status == 0)
        #expect(text == (try AgentUnit.render(Self.guide)))
        let (status2, text2, _) = try render(.unit, answersFile: #"{"tmuxSession": "agent", "user": "zoe"}"#)
        #expect(status2 == 0)
        #expect(text2.contains("ExecStart=/usr/bin/tmux -L agent new-session -d -s agent ") && text2.contains("User=zoe"))
    }

    @Test func renderUsesTheSavedAnswers() throws {
        let directory = try H.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var progress = Phase0Core.Progress(mode: .practice, stepCount: 6, machine: SimulatedSpark(), now: "2026-01-01T00:00:00Z")
        progress.answers = ["webuiPort": "3999", "webuiNetwork": "bridge"]
        let state = directory.path + "/state.json"
        try StateStore(path: state, snapshotType: SimulatedSpark.self).save(progress)
        let (status, text, notes) = try render(.docker, state: state)
        #expect(status == 0, "\(notes)")
        #expect(text.contains("--publish=127.0.0.1:3999:8080 \\\n"))
        #expect(notes.contains("warning:") && notes.contains("connection refused"))   // a loopback Ollama, said on stderr
    }

    @Test func renderRefusesUnusableAnswersWithExit65() throws {
        for file in ["{not json", #"{"swapSize": 128}"#, #"{"noSuchKey": "x"}"#, #"{"webuiPort": "70000"}"#,
                     #"{"agentDir": "/home/vybnz69/spark\nExecStartPre=/bin/true"}"#, #"{"webuiNetwork": "macvlan"}"#] {
            let artifact: RenderCommand.Artifact = file.contains("agentDir") ? .unit : .docker
            let (status, text, notes) = try render(artifact, answersFile: file)
            #expect(status == 65, "\(file): \(notes)")
            #expect(text.isEmpty)
            #expect(notes.hasPrefix("phase0: "))
        }
    }
}
