import ArgumentParser
import Phase0Core
import Phase0Parsers
import Phase0Practice
import Phase0Steps

#if canImport(Glibc)
import Glibc
#endif

// First, before any file is opened: closed standard descriptors onto /dev/null, SIGXFSZ ignored.
ProcessStart.prepare()

/// The command line. All logic lives in Phase0Core and Steps/; this only maps flags.
struct Phase0: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase0",
        abstract: "Make the Vybn agent on a DGX Spark always-on: the guide \"Phase 0: Make Vybn Always-On\", as a wizard.",
        discussion: """
            Two safe ways in: `phase0 --practice` runs the whole procedure on a simulated Spark \
            (nothing on this machine changes), and `phase0 --dry-run` runs the read-only checks and \
            prints every command it would run, running none. `--practice` goes before or after the subcommand.

            Exit codes: 0 complete; 1 a command or verification failed (progress kept); 3 stopped at the \
            swap gate (< 64G swap); 64 usage; 65 bad input file; 75 another phase0 holds the lock; 130 interrupted \
            (129 SIGHUP, 131 SIGQUIT, 143 SIGTERM: stopped the same way, progress kept).
            """,
        version: Phase0Version.current,
        subcommands: [
            Run.self, Answers.self, Status.self, Preflight.self, Reset.self, Render.self, Troubleshoot.self, Reference.self,
            DrillCommand.self, RunbookCommand.self, GlossaryCommand.self,
            Export.self, Undo.self,
        ],
        defaultSubcommand: Run.self
    )
}

struct StateOptions: ParsableArguments {
    @Flag(help: "Practice on the built-in simulated DGX Spark; nothing on this machine changes.")
    var practice = false

    @Option(help: "The resume file (default: $XDG_STATE_HOME/phase0/state.json, or practice.json).")
    var state: String?

    func config() throws -> WizardConfig {
        do { return try wizardConfig(practice: practice, state: state) } catch let unusable as UnusableStateLocation {
            StandardOutput().write("phase0: \(unusable.problem)\n")
            throw ExitCode(ExitStatus.usage)
        }
    }
}

/// Without --state, HOME (or an absolute XDG_STATE_HOME) must say where the progress goes.
struct UnusableStateLocation: Error { var problem: String }

/// What `--practice` and `--state` mean, for ArgumentParser's commands and the FastPath alike.
func wizardConfig(practice: Bool, state: String?) throws -> WizardConfig {
    var config = WizardConfig()
    // The one place that decides which machine a command works on.
    config.hosts = practice ? PracticeHostFactory() : LiveHostFactory()
    config.statePath = state
    config.environment = currentEnvironment()
    // No guessing where the progress goes (exit 64, the way phase0 was started).
    if state == nil, let problem = StateStore.defaultLocationProblem(environment: config.environment) {
        throw UnusableStateLocation(problem: problem)
    }
    return config
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the procedure, or resume it where it stopped (the default).")

    @OptionGroup var stateOptions: StateOptions

    @Option(help: "A practice scenario: a built-in NAME (`--scenario list` shows them, with what each teaches) or a JSON FILE; see README.")
    var scenario: String?

    @Option(help: "A JSON object of answers (string values) used instead of asking.")
    var answers: String?

    @Flag(name: [.customShort("y"), .long], help: "Answer yes to every confirmation (values still come from --answers or defaults).")
    var assumeYes = false

    @Flag(help: "Run the read-only checks and print every command that would run, without running any.")
    var dryRun = false

    @Option(help: "Redo one step (0-5): each of its actions is re-checked and what is missing is redone, after confirmation.")
    var step: Int?

    func validate() throws {
        if scenario != nil && !stateOptions.practice { throw ValidationError("--scenario needs --practice") }
        if let step, !Procedure.steps().contains(where: { $0.number == step }) {
            throw ValidationError("--step \(step): the steps are 0 to \(Procedure.steps().count - 1)")
        }
    }

    func run() throws {
        if scenario == "list" {
            StandardOutput().write(Scenario.catalogue())
            return
        }
        var config = try stateOptions.config()
        config.scenarioPath = scenario
        config.answersPath = answers
        config.options = RunOptions(assumeYes: assumeYes, dryRun: dryRun)
        config.options.onlyStep = step
        try finish(Wizard.run(config, procedure: Procedure.definition()))
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show where the procedure stands.")
    @OptionGroup var stateOptions: StateOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try finish(Reports.status(try stateOptions.config(), steps: Procedure.steps(), json: json, output: StandardOutput()))
    }
}

struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the guide's prerequisites, read-only.")
    @OptionGroup var stateOptions: StateOptions
    @Option(help: "A practice scenario (JSON), with --practice.") var scenario: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var config = try stateOptions.config()
        config.scenarioPath = scenario
        try finish(Reports.preflight(config, json: json, output: StandardOutput()))
    }
}

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Move the resume file aside (never deleted) to start over.")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        try finish(Reports.reset(try stateOptions.config(), output: StandardOutput()))
    }
}

/// Every subcommand ends here: the outcome's documented exit code (RunOutcome.exitCode).
/// Usage errors are ArgumentParser's own (exit 64) and never reach a subcommand.
func finish(_ outcome: RunOutcome) throws {
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
}

func currentEnvironment() -> [String: String] {
    var environment: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        pointer += 1
    }
    return environment
}

/// `--practice` may come before the subcommand (`phase0 --practice status`) as well as after
/// it: ArgumentParser reads options after the subcommand's name, so it is moved there.
func normalizedArguments(_ arguments: [String]) -> [String] {
    // Only options can come before a subcommand; the usual `phase0 status ...` is left alone
    // without asking the parser for its subcommands' names (a quarter of `status --json`'s CPU).
    guard arguments.first?.hasPrefix("-") == true else { return arguments }
    let names = Set(Phase0.configuration.subcommands.map { $0._commandName })
    guard let index = arguments.firstIndex(where: { names.contains($0) }), index > 0 else { return arguments }
    // The root command takes no options of its own but --help and --version, so whatever the
    // operator put before the subcommand (`phase0 --practice -y run`) belongs to it.
    let before = arguments[..<index]
    guard !before.contains(where: { ["-h", "--help", "--version"].contains($0) }) else { return arguments }
    return [arguments[index]] + before + arguments[(index + 1)...]
}

let arguments = normalizedArguments(Array(CommandLine.arguments.dropFirst()))
if let status = FastPath.run(arguments) { exit(status) }
Phase0.main(arguments)
