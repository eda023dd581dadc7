import ArgumentParser
import Phase0Core

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print what phase0 generates for the current answers (unit, docker).")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        StandardOutput().write("phase0 render: not implemented yet\n")
        throw ExitCode(1)
    }
}
