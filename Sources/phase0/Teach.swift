import ArgumentParser
import Phase0Core
import Phase0Parsers
import Phase0Practice
import Phase0Steps
import Phase0Teaching

/// Where a teaching subcommand keeps its results: beside the practice resume file.
struct PracticeStateOption: ParsableArguments {
    @Option(help: "The practice resume file whose directory holds drills.json (default: $XDG_STATE_HOME/phase0/practice.json).")
    var state: String?

    var statePath: String { state ?? StateStore.defaultPath(practice: true, environment: currentEnvironment()) }
    var directory: String {
        guard let slash = statePath.lastIndex(of: "/") else { return "." }
        return String(statePath[..<slash])
    }
}

struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Diagnose and fix a broken simulated Spark, from the guide's troubleshooting (practice only).",
        discussion: """
            Without NAME, lists the drills with what each teaches and your results (done, best score). \
            With NAME, puts the simulated Spark in that broken state: investigate with the real commands \
            (systemctl status, journalctl -u, free -h, swapon --show, docker ps, ss -ltnp, tailscale serve status...), \
            name the cause, type the fix, verify it. Exit 0 when finished, 1 when given up. --file plays a drill file \
            that is not built in yet (for teachers; see README "Teaching").
            """)
    @Argument(help: "A drill's name (see the list).") var name: String?
    @Option(help: "Play a drill from this JSON file instead (not recorded).") var file: String?
    @OptionGroup var stateOption: PracticeStateOption

    func validate() throws {
        if name != nil && file != nil { throw ValidationError("give a drill NAME or --file FILE, not both") }
    }

    func run() throws {
        let output = StandardOutput()
        let results = DrillResults.path(statePath: stateOption.statePath)
        let status: Int32
        if let target = file ?? name {
            status = DrillSession.play(
                target, fromFile: file != nil, resultsPath: results,
                historyDirectory: stateOption.directory, output: output)
        } else {
            status = DrillSession.list(resultsPath: results, output: output)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

struct GlossaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glossary",
        abstract: "Explain a word used on screen (swap, swappiness, Type=forking, host-gateway, tailnet, MagicDNS...).",
        discussion: "Without TERM, every entry. `?` at any prompt of the wizard or a drill explains the words on screen.")
    @Argument(parsing: .remaining, help: "The word (or several words) to explain.") var term: [String] = []

    func run() throws {
        let output = StandardOutput()
        guard !term.isEmpty else {
            output.write(
                "Glossary (phase0 glossary TERM for one):\n\n" + Glossary.entries.map { Glossary.render($0) }.joined(separator: "\n"))
            return
        }
        let wanted = term.joined(separator: " ")
        guard let entry = Glossary.entry(wanted) else {
            output.write("phase0: \"\(wanted)\" is not in the glossary. Terms: \(Glossary.entries.map(\.term).joined(separator: ", "))\n")
            throw ExitCode(1)
        }
        output.write(Glossary.render(entry, indent: ""))
    }
}

struct RunbookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "A handout of what phase0 did on this machine, from its resume file (Markdown, or a shell script).",
        discussion: """
            md: per step, why, the values chosen, every command with its result and time, files written and \
            their backups, what was skipped, the Unplug results, then the key commands with this machine's values. \
            sh: the manual equivalent as a script (set -euo pipefail, each block guarded by the wizard's own \
            "already done?" check): a teaching artefact to read, not a second installer.
            """)
    enum Format: String, ExpressibleByArgument, CaseIterable { case md, sh }

    @OptionGroup var stateOptions: StateOptions
    @Option(help: "md (default) or sh.") var format: Format = .md

    func run() throws {
        let output = StandardOutput()
        let config = try stateOptions.config()
        do {
            let view = try config.openReadOnly()
            guard let progress = view.progress else {
                output.write(
                    "phase0: no resume file at \(config.resolvedStatePath): run `phase0\(stateOptions.practice ? " --practice" : "")` first.\n"
                )
                throw ExitCode(1)
            }
            let url = Probe.tailscaleStatus(view.host).value?.serveURL
            let name = view.host.name.split(separator: " ").first.map(String.init) ?? view.host.name
            let runbook = Runbook(
                progress: progress, steps: Procedure.steps(), hostName: name, serveURL: url,
                statePath: config.resolvedStatePath)
            output.write(format == .md ? runbook.markdown() : runbook.script())
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ExitCode(exitStatus(reporting: error, to: output))
        }
    }
}
