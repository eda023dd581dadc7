import ArgumentParser
import Phase0Core
import Phase0Parsers
import Phase0Steps

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hand this run to the next Spark: an answers file, or an Ansible playbook.",
        subcommands: [ExportAnswers.self, ExportAnsible.self])
}

struct ExportAnswers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answers",
        abstract: "Write this run's answers as an answers file for another Spark (`phase0 --answers FILE`).",
        discussion: """
            The answers of the resume file (a finished or partly done run): the values a second machine reuses. \
            Not exported, because they are asked again on every machine: the Unplug observations and the \
            decisions to replace a tmux server or a container found there. Plain JSON, keys sorted. \
            FILE must not exist (phase0 never overwrites a file); without FILE, or with -, it goes to standard output.
            """)
    @Argument(help: "Where to write it (default: standard output).") var file: String?
    @OptionGroup var stateOptions: StateOptions

    func run() throws {
        try finish(AnswersExport.run(try stateOptions.config(), destination: file, output: StandardOutput(), notes: StandardError()))
    }
}

struct ExportAnsible: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ansible",
        abstract: "Write an Ansible playbook that brings a Spark to the same end state with the same values.",
        discussion: """
            Writes DIR (default ./phase0-ansible; it must not exist): playbook.yml, inventory.example.ini, README.md \
            and files/ (the unit and the sysctl drop-in, rendered by phase0 from Templates/, as `phase0 render` does). \
            Values come from --answers FILE, else the resume file, else the guide's defaults; where Ollama listens \
            (which network Open WebUI needs) and where tmux and curl live are read from this machine. \
            ansible.builtin modules only. The playbook keeps the wizard's rules: the 64G swap rule asserted before \
            and after the swap tasks, counting what survives a reboot; no swapoff; no file it did not make \
            overwritten; fstab and the unit validated before they are put in place, with backups; a second run \
            changes nothing. Steps 1-4; the Unplug Protocol (Step 5) stays with a person: phase0 checks it.
            """)
    @Argument(help: "The directory to write (must not exist).") var directory: String = "phase0-ansible"
    @OptionGroup var stateOptions: StateOptions
    @Option(help: "A JSON object of answers (string values) to use instead of the resume file's.") var answers: String?

    func run() throws {
        try finish(
            AnsibleExport.run(
                try stateOptions.config(), directory: directory, answersPath: answers, output: StandardOutput(), notes: StandardError()))
    }
}
