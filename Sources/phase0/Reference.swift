import ArgumentParser
import Phase0Core
import Phase0Parsers
import Phase0Steps

struct Reference: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The guide's key commands, filled in with your answers.")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        let output = StandardOutput()
        let config = try stateOptions.config()
        do {
            let view = try ReadOnlyView.open(config)
            let answers = try GuideAnswers(view.answers)
            // The phone's URL when tailscale can tell (read-only): best effort, the reference works without it.
            let url = Probe.tailscaleStatus(view.host).value?.serveURL
            let name = view.host.name.split(separator: " ").first.map(String.init) ?? view.host.name
            output.write(KeyCommands.render(answers, hostName: name, serveURL: url, docker: Probe.dockerAccess(view.host)))
        } catch {
            try finish(.reporting(error, to: output))
        }
    }
}
