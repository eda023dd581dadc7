import Phase0Parsers
import ArgumentParser
import Phase0Core
import Phase0Steps
import Phase0Practice

#if canImport(Glibc)
import Glibc
#endif

/// The command line. All logic lives in Phase0Core and Steps/; this only maps flags.
struct Phase0: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase0",
        abstract: "Make the Vybn agent on a DGX Spark always-on: the guide \"Phase 0: Make Vybn Always-On\", as a wizard.",
        discussion: """
            Exit codes: 0 complete; 1 a command or verification failed (progress kept); 3 stopped at the \
            swap gate (< 64G swap); 64 usage; 65 bad input file; 75 another phase0 holds the lock; 130 interrupted.
            """,
        version: Phase0Version.current,
        subcommands: [Run.self, Status.self, Preflight.self, Reset.self, Render.self, Troubleshoot.self, Reference.self,
                      Export.self, Undo.self],
        defaultSubcommand: Run.self
    )
}

struct StateOptions: ParsableArguments {
    @Flag(help: "Practice on the built-in simulated DGX Spark; nothing on this machine changes.")
    var practice = false

    @Option(help: "The resume file (default: $XDG_STATE_HOME/phase0/state.json, or practice.json).")
    var state: String?

    func config() -> WizardConfig {
        var config = WizardConfig()
        // The one place that decides which machine a command works on.
        config.hosts = practice ? PracticeHostFactory() : LiveHostFactory()
        config.statePath = state
        config.environment = currentEnvironment()
        return config
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the procedure, or resume it where it stopped (the default).")

    @OptionGroup var stateOptions: StateOptions

    @Option(help: "A practice scenario (JSON) that changes the simulated Spark; see README.")
    var scenario: String?

    @Option(help: "A JSON object of answers (string values) used instead of asking.")
    var answers: String?

    @Flag(name: [.customShort("y"), .long], help: "Answer yes to every confirmation (values still come from --answers or defaults).")
    var assumeYes = false

    @Flag(help: "Run the read-only checks and print every command that would run, without running any.")
    var dryRun = false

    func validate() throws {
        if scenario != nil && !stateOptions.practice { throw ValidationError("--scenario needs --practice") }
    }

    func run() throws {
        var config = stateOptions.config()
        config.scenarioPath = scenario
        config.answersPath = answers
        config.options = RunOptions(assumeYes: assumeYes, dryRun: dryRun)
        let status = Wizard.run(config, procedure: Procedure.definition())
        if status != 0 { throw ExitCode(status) }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show where the procedure stands.")
    @OptionGroup var stateOptions: StateOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let status = Reports.status(stateOptions.config(), steps: Procedure.steps(), json: json, output: StandardOutput())
        if status != 0 { throw ExitCode(status) }
    }
}

struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the guide's prerequisites, read-only.")
    @OptionGroup var stateOptions: StateOptions
    @Option(help: "A practice scenario (JSON), with --practice.") var scenario: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var config = stateOptions.config()
        config.scenarioPath = scenario
        let status = Reports.preflight(config, json: json, output: StandardOutput())
        if status != 0 { throw ExitCode(status) }
    }
}

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Move the resume file aside (never deleted) to start over.")
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        let status = Reports.reset(stateOptions.config(), output: StandardOutput())
        if status != 0 { throw ExitCode(status) }
    }
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

Phase0.main()
