import Phase0Steps
import Phase0Parsers
import ArgumentParser
import Phase0Core

struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The guide's key commands, filled in with your answers.")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        let output = StandardOutput()
        do {
            let view = try ReadOnlyView.open(stateOptions.config())
            let answers = try GuideAnswers(view.answers)
            // The phone's URL when tailscale can tell (read-only); the reference works without it.
            let url = (try? Probe.tailscaleStatus(view.host).get())?.serveURL
            let name = view.host.name.split(separator: " ").first.map(String.init) ?? view.host.name
            output.write(KeyCommands.render(answers, hostName: name, serveURL: url, docker: Probe.dockerAccess(view.host)))
        } catch {
            throw ExitCode(exitStatus(reporting: error, to: output))
        }
    }
}
