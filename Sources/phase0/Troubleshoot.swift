import ArgumentParser
import Phase0Core

struct Troubleshoot: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The guide's troubleshooting flows, read-only.")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        StandardOutput().write("phase0 troubleshoot: not implemented yet\n")
        throw ExitCode(1)
    }
}
