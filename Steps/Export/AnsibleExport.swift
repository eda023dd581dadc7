import Phase0Core
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// `phase0 export ansible [DIR]`: the procedure as a playbook for a fleet of Sparks. The values
/// come from --answers FILE, else the resume file, else the guide's defaults; the unit and the
/// drop-in are rendered by the wizard's renderers into files/, the docker command too (into the
/// playbook's vars), so the playbook and the wizard cannot drift apart.
public enum AnsibleExport {
    public static func run(_ config: WizardConfig, directory: String, answersPath: String?, output: Output, notes: Output) -> RunOutcome {
        let values: AnsibleValues
        do {
            let view = try config.openReadOnly()
            var answers = view.progress?.answers ?? [:]
            if let answersPath {
                answers.merge(try loadAnswersFile(answersPath, knownKeys: Procedure.answerKeys())) { _, new in new }
            }
            values = try AnsibleValues(answers: answers, host: view.host)
        } catch let ending as EndsRun {
            return .reporting(ending, to: notes)
        } catch {
            // A value the wizard would refuse (ValidationFailure): the file that holds it is bad input.
            let reason = "\(answersPath ?? config.resolvedStatePath): cannot export: \(error)"
            notes.write("phase0: \(reason)\n")
            return .badInput(reason)
        }
        do {
            try write(values, to: directory)
        } catch {
            notes.write("phase0: \(error)\n")
            return .failed("\(error)")
        }
        output.write(
            """
            Wrote \(directory)/: playbook.yml, inventory.example.ini, README.md, files/\(values.unit.unitName), files/\(values.dropInName).
            Network for Open WebUI: \(values.networkReason).
            Try it: ansible-playbook -i \(directory)/inventory.example.ini \(directory)/playbook.yml --check --diff

            """)
        return .complete
    }

    static func write(_ v: AnsibleValues, to directory: String) throws {
        guard mkdir(directory, 0o755) == 0 else {
            let why =
                errno == EEXIST
                ? "it exists; phase0 never overwrites (choose another directory, or move it aside)" : String(cString: strerror(errno))
            throw AnswersExport.WriteError(description: "cannot create \(directory): \(why)")
        }
        guard mkdir(directory + "/files", 0o755) == 0 else {
            throw AnswersExport.WriteError(description: "cannot create \(directory)/files: \(String(cString: strerror(errno)))")
        }
        try AnswersExport.writeNew(directory + "/files/" + v.unit.unitName, v.unitText)
        try AnswersExport.writeNew(directory + "/files/" + v.dropInName, v.dropInText)
        try AnswersExport.writeNew(directory + "/playbook.yml", AnsiblePlaybook.text(v))
        try AnswersExport.writeNew(directory + "/inventory.example.ini", inventory(v))
        try AnswersExport.writeNew(directory + "/README.md", readme(v))
    }

    static func inventory(_ v: AnsibleValues) -> String {
        """
        # Which Sparks the playbook configures. Copy to inventory.ini and list yours.
        # The playbook needs root (become: true): sudo on the Spark, as for the wizard.
        [sparks]
        spark-2b7c.local ansible_user=\(v.unit.user)
        # This machine itself:
        # localhost ansible_connection=local

        """
    }

    static func readme(_ v: AnsibleValues) -> String {
        """
        # Phase 0 as an Ansible playbook

        Written by `phase0 export ansible`: Steps 0-4 of "Phase 0: Make Vybn Always-On" with this run's values
        (swapfile \(v.swapfile) \(v.swapSize), swappiness \(v.swappiness), unit \(v.unit.unitName) for \(v.unit.user),
        container \(v.webui.container) on 127.0.0.1:\(v.webui.port)). `files/` holds the unit and the sysctl drop-in as phase0
        renders them; change values in phase0 and export again rather than editing here.

            ansible-playbook -i inventory.ini playbook.yml --check --diff   # what would change
            ansible-playbook -i inventory.ini playbook.yml                  # a second run reports changed=0

        It keeps the wizard's rules: the 64G swap rule is asserted before and after the swap tasks (counting what
        survives a reboot), swapoff is never run, no file phase0 did not make is overwritten, /etc/fstab and the unit
        are validated before they are put in place and backed up; every Step 0 refusal comes before Step 0's first change.
        Nothing is served before Open WebUI has an account: the first run stops before Step 4 and says how to register the
        first account (ssh -L \(v.webui.port):127.0.0.1:\(v.webui.port) \(v.unit.user)@SPARK); run the playbook again then.
        Step 2 looks only at the agent's own tmux socket (tmux -L \(v.unit.tmuxSocket)) and stops no tmux. A sysctl.d file read
        after \(v.dropInName) that sets vm.swappiness makes it stop (phase0 edits such a file with a diff; the playbook does
        not). ansible.builtin modules only. The Unplug Protocol (Step 5) needs a person: run it with phase0 on each Spark.

        """
    }
}
