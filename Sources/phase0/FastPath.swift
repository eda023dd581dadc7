import Phase0Core
import Phase0Parsers
import Phase0Steps

#if canImport(Glibc)
import Glibc
#endif

/// The command lines phase0 is nearly always run with, answered without ArgumentParser. Its
/// parse reflects over every command type (Mirror, protocol-conformance scans of the whole
/// binary): ~12 M instructions, 80 % of `phase0 --version`, and pages of code a run otherwise
/// never touches (issue 14). Only plain forms are taken: known flags, each at most once; an
/// option's value as the next argument, not starting with "-". Anything else (help, a usage
/// error, `--state=FILE`, `--scenario list`, no usable HOME) goes to ArgumentParser, which
/// stays the one definition of the command line; the end-to-end tests run each form both ways
/// (`FastPathTests`).
enum FastPath {
    /// The exit status, or nil when ArgumentParser should parse these arguments.
    static func run(_ arguments: [String]) -> Int32? {
        if arguments == ["--version"] {
            writeToStandardOutput(Phase0Version.current + "\n")
            return 0
        }
        switch arguments.first {
        case "status":
            guard let line = PlainLine(arguments.dropFirst(), flags: ["--practice", "--json"], options: ["--state"]),
                let config = line.config
            else { return nil }
            return Reports.status(config, steps: Procedure.steps(), json: line.has("--json"), output: StandardOutput()).exitCode
        case "render":
            guard arguments.count >= 2, let artifact = ["unit": RenderCommand.Artifact.unit, "docker": .docker][arguments[1]],
                let line = PlainLine(arguments.dropFirst(2), flags: ["--practice"], options: ["--state", "--answers"]),
                let config = line.config
            else { return nil }
            return RenderCommand.run(
                artifact, config: config, answersPath: line.options["--answers"],
                output: StandardOutput(), notes: StandardError()
            ).exitCode
        default:
            let rest = arguments.first == "run" ? arguments.dropFirst() : arguments[...]
            guard
                let line = PlainLine(
                    rest, flags: ["--practice", "-y", "--assume-yes", "--dry-run"],
                    options: ["--state", "--scenario", "--answers"]),
                !(line.has("-y") && line.has("--assume-yes")),
                line.options["--scenario"] == nil || line.has("--practice"), line.options["--scenario"] != "list",
                var config = line.config
            else { return nil }
            config.scenarioPath = line.options["--scenario"]
            config.answersPath = line.options["--answers"]
            config.options = RunOptions(assumeYes: line.has("-y") || line.has("--assume-yes"), dryRun: line.has("--dry-run"))
            return Wizard.run(config, procedure: Procedure.definition()).exitCode
        }
    }
}

/// Flags and `--option VALUE` pairs, each at most once, nothing else.
struct PlainLine {
    private var flags: Set<String> = []
    private(set) var options: [String: String] = [:]

    init?(_ arguments: ArraySlice<String>, flags known: Set<String>, options valued: Set<String>) {
        var rest = arguments
        while let argument = rest.popFirst() {
            if known.contains(argument) {
                guard flags.insert(argument).inserted else { return nil }
            } else if valued.contains(argument) {
                guard let value = rest.popFirst(), !value.hasPrefix("-"), options[argument] == nil else { return nil }
                options[argument] = value
            } else {
                return nil
            }
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// nil when the state's location cannot be worked out: ArgumentParser's path says why.
    var config: WizardConfig? { try? wizardConfig(practice: has("--practice"), state: options["--state"]) }
}
