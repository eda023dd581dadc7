import ArgumentParser
import Phase0Core
import Phase0Parsers
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
        try finish(
            RenderCommand.run(
                artifact == .unit ? .unit : .docker, config: try stateOptions.config(),
                answersPath: answers, output: StandardOutput(), notes: StandardError()))
    }
}

/// Notes that must not mix with what is printed for a pipe; escaped like everything printed.
final class StandardError: Output {
    func write(_ text: String) { writeToTerminal(text, fd: 2) }
}
