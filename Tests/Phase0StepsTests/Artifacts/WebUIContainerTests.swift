@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

/// The docker command as rendered: Open WebUI's caps and loopback, and the real docker CLI's
/// own flag parsing of it.
@Suite struct WebUIContainerTests {
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
        let docker = try Program.tool("docker", package: "the docker CLI (docker.io or docker-ce-cli)")
        let config = try TempDir("docker-config")
        defer { config.remove() }
        let environment = ["DOCKER_HOST": "unix:///nonexistent/phase0-test.sock", "DOCKER_CONFIG": config.path,
                           "PATH": "/usr/bin:/bin", "HOME": config.path]
        let result = try Program.run([docker] + argv.dropFirst(), environment: environment)
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
        let sh = try Program.tool("sh", package: "a POSIX shell")
        let argv = try WebUIContainer.argv(Self.webui(hostNetwork: false))
        let shown = WebUIContainer.shellDisplay(argv)
        #expect(shown.split(separator: "\n").count == argv.count - 1)   // "docker run" share the first line
        #expect(shown.split(separator: "\n").dropLast().allSatisfy { $0.hasSuffix(" \\") })
        // The shell reads back the same argv.
        let script = "printf '%s\\n'" + shown.dropFirst("docker".count)
        let printed = try Program.run([sh, "-c", script]).output
        #expect(printed.split(separator: "\n").map(String.init) == Array(argv.dropFirst()))
    }
}
