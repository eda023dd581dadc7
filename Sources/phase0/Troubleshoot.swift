import ArgumentParser
import Phase0Core
import Phase0Parsers
import Phase0Steps

extension Troubleshooting.Flow: ExpressibleByArgument {}

struct Troubleshoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The guide's troubleshooting flows, read-only.",
        discussion: "Without a flow, all four run. Exits 1 when a problem is found, 0 otherwise.")
    @OptionGroup var stateOptions: StateOptions
    @Option(help: "A practice scenario (JSON), with --practice.") var scenario: String?
    @Argument(help: "service, oom, webui or tailscale (default: all).") var flow: Troubleshooting.Flow?

    func validate() throws {
        if scenario != nil && !stateOptions.practice { throw ValidationError("--scenario needs --practice") }
    }

    func run() throws {
        var config = try stateOptions.config()
        config.scenarioPath = scenario
        let output = StandardOutput()
        let host: Host
        let answers: GuideAnswers
        do {
            let view = try ReadOnlyView.open(config)
            host = view.host
            answers = try GuideAnswers(view.answers)
        } catch {
            try finish(.reporting(error, to: output))
            return
        }
        try finish(Troubleshooting.report(flow.map { [$0] } ?? [], host: host, answers: answers, output: output))
    }
}
