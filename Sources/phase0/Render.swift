import Phase0Parsers
import ArgumentParser
import Phase0Core
import Phase0Steps

#if canImport(Glibc)
import Glibc
#endif

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what phase0 generates for the current answers: the systemd unit, or the docker command.",
        discussion: """
            Answers come from --answers FILE, else the resume file, else the guide's defaults. \
            `unit` prints /etc/systemd/system/vybn-agent.service as Step 2 would write it; `docker` prints \
            Step 3's `docker run`, shell-quoted, one option per line (the network choice goes to stderr). \
            Exit 65 when the answers cannot be used.
            """)

    enum Artifact: String, ExpressibleByArgument, CaseIterable {
        case unit, docker
    }

    @Argument(help: "unit or docker") var artifact: Artifact
    @OptionGroup var stateOptions: StateOptions
    @Option(help: "A JSON object of answers (string values) to render with.") var answers: String?

    func run() throws {
        try finish(RenderCommand.run(artifact == .unit ? .unit : .docker, config: stateOptions.config(),
                                         answersPath: answers, output: StandardOutput(), notes: StandardError()))
    }
}

/// Notes that must not mix with what is printed for a pipe.
final class StandardError: Output {
    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR { continue }; return }
            bytes = bytes.dropFirst(n)
        }
    }
}
