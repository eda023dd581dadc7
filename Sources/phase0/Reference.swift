import ArgumentParser
import Phase0Core

struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The guide's key commands, filled in with your answers.")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        StandardOutput().write("phase0 reference: not implemented yet\n")
        throw ExitCode(1)
    }
}
