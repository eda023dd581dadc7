@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
import Phase0Steps

/// Hostile answers (issue 5): each corpus value is refused with its reason or carried
/// through safely, meaning exactly itself in every argv and file; and no command phase0 runs
/// puts an answer into a shell script.
@Suite struct HostileAnswersTests {
    /// Every question the procedure asks today, plus the operator account asked when root.
    static var questions: [Question] { Procedure.steps().flatMap(\.questions) + [OperatorAccount.question(sudoUser: nil)] }

    @Test func theCorpusHasEveryKindOfHostileValue() {
        #expect(HostileCorpus.all.count >= 40)
        let keys = Set(Self.questions.map(\.key))
        for key in Set(HostileCorpus.all.map(\.key)) { #expect(keys.contains(key), "no question asks \(key)") }
    }

    @Test(arguments: HostileCorpus.all)
    func eachValueIsRefusedWithItsReasonOrAcceptedAsItself(_ hostile: HostileAnswer) throws {
        let question = try #require(Self.questions.first { $0.key == hostile.key })
        // The same rule the engine applies to every answer, typed or from a file.
        let result = Engine.validateAnswer(question, hostile.value, stepContext(PracticeHost(machine: SimulatedSpark()), options: RunOptions()))
        switch (hostile.expect, result) {
        case (.accepted(let stored), .success(let value)):
            #expect(value == stored)
        case (.refused(let why), .failure(let failure)):
            #expect(failure.reason.contains(why), "reason: \(failure.reason)")
            #expect(failure.confirmation == nil, "a plain refusal must not be confirmable")
        case (.confirmable, .failure(let failure)):
            #expect(failure.confirmation?.value == hostile.value.trimmingWhitespace(), "\(failure)")
        default:
            Issue.record("\(hostile): expected \(hostile.expect), got \(result)")
        }
        if case .failure(let failure) = result, Redactor.secretKind(in: hostile.value) != nil {
            #expect(!failure.reason.contains(hostile.value), "the reason repeats the secret")
        }
    }

    // MARK: Carried through: the accepted values in a whole practice run

    /// The in-process practice run with `answers` on `machine`, recording every command.
    static func run(_ answers: [String: String], on machine: SimulatedSpark = Rel.spark()) throws
        -> (outcome: RunOutcome, commands: [Command], machine: SimulatedSpark)
    {
        let scratch = try TempDir("hostile", memory: true)
        defer { scratch.remove() }
        var recorder: SparkWithHooks?
        let result = try InProcessRun(statePath: scratch.path + "/state.json", answers: Rel.answers.merging(answers) { $1 })
            .run(machine: machine) {
                recorder = SparkWithHooks(wrapping: $0)
                return recorder!
            }
        return (result.outcome, try #require(recorder).ran, result.machine)
    }

    /// The sources of an fstab, as the real `findmnt` (util-linux) parses the file.
    static func fstabSources(_ text: String) throws -> [String] {
        let scratch = try TempDir("fstab", memory: true)
        defer { scratch.remove() }
        let path = scratch.path
        try write(text, to: path + "/fstab")
        let parsed = try Program.run(["/usr/bin/findmnt", "--tab-file", path + "/fstab", "-J", "-o", "SOURCE"], environment: [:])
        struct Table: Decodable { struct Entry: Decodable { var source: String }; var filesystems: [Entry] }
        return try JSONDecoder().decode(Table.self, from: Data(parsed.output.utf8)).filesystems.map(\.source)
    }

    @Test(arguments: HostileCorpus.swapfile.filter { if case .accepted = $0.expect { true } else { false } })
    func anAcceptedSwapfilePathMeansExactlyItselfEverywhere(_ hostile: HostileAnswer) throws {
        guard case .accepted(let path) = hostile.expect else { return }
        let reference = try Self.run([:])
        let (outcome, commands, machine) = try Self.run(["swapfile": hostile.value])
        #expect(outcome == reference.outcome, "\(outcome)")
        for program in ["fallocate", "chmod", "mkswap", "swapon"] {
            let command = try #require(commands.first { $0.program == program && $0.effect == .change }, "\(program) never ran")
            #expect(command.argv.last == path, "\(program) got \(command.argv)")
        }
        #expect(machine.files[path]?.mode == 0o600 && machine.swaps.contains { $0.path == path })
        // The fstab written: the real findmnt reads the same path back, once.
        let written = try #require(commands.first { $0.argv.last == "/etc/fstab.phase0-new" }?.input)
        let sources = try Self.fstabSources(written)
        #expect(sources.filter { $0 == path }.count == 1, "findmnt reads \(sources)")
        #expect(!sources.contains("/swap.img"))
    }

    @Test func anAcceptedSizeAndSwappinessMeanExactlyThemselves() throws {
        for hostile in HostileCorpus.swapSize + HostileCorpus.swappiness {
            guard case .accepted(let stored) = hostile.expect else { continue }
            let (_, commands, machine) = try Self.run([hostile.key: hostile.value])
            if hostile.key == "swapSize" {
                let fallocate = try #require(commands.first { $0.program == "fallocate" })
                #expect(fallocate.argv == ["fallocate", "-l", stored, "/swapfile"], "\(hostile)")
                guard case .success(let bytes) = ByteSize.parse(stored) else { Issue.record("\(stored)"); continue }
                #expect(machine.files["/swapfile"]?.size == bytes)
            } else {
                #expect(commands.contains { $0.argv == ["sysctl", "-w", "vm.swappiness=\(stored)"] }, "\(hostile)")
                let dropIn = try #require(machine.files["/etc/sysctl.d/99-zz-phase0-swappiness.conf"]?.content)
                let settings = dropIn.split(separator: "\n").filter { !$0.hasPrefix("#") }
                    .map { $0.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() } }
                #expect(settings == [["vm.swappiness", stored]], "\(dropIn)")
                #expect(machine.swappiness == Int(stored))
            }
        }
    }

    // MARK: No shell with an answer in it

    /// Hostile values that are still valid, per key; the first one a question accepts is used
    /// (keys of steps not written yet simply keep their defaults until they exist).
    static let hostileButValid: [String: [String]] = [
        "swapfile": ["/swap$(reboot)`id`;|&'\"%h#*"], "swapSize": ["64GiB"], "swappiness": ["7"],
        "agentDir": [hostileAgentDir], "tmuxSession": ["vy_b-n$", "vy_b-n"],
        "unitName": ["vybn-ag%ent.service", "vybn-agent2.service"],
        "webuiContainer": ["open-webui_$x", "open-webui.2"], "webuiVolume": ["open-webui.vol"],
        "webuiPort": ["3001"], "model": ["vybn:latest$(id)", "vybn:latest"],
    ]

    /// An agent directory whose name a shell would interpret. Step 2 takes it only where it
    /// holds tui.py, so `sparkWithHostileAgentDir` has it: the answer then reaches the unit
    /// (WorkingDirectory, ExecStart), where the shell check below must look at it.
    static let hostileAgentDir = "/home/vybnz69/Vy$bn's `id`;(x)/spark"

    static var sparkWithHostileAgentDir: SimulatedSpark {
        var machine = Rel.spark()
        for (from, to) in [("/home/vybnz69/Vybn", "/home/vybnz69/Vy$bn's `id`;(x)"), ("/home/vybnz69/Vybn/spark", hostileAgentDir)] {
            machine.files[to] = machine.files[from]
        }
        machine.files[hostileAgentDir + "/tui.py"] = machine.files["/home/vybnz69/Vybn/spark/tui.py"]
        return machine
    }

    /// Shells that would interpret a script argument.
    static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"]

    /// tmux commands that start a program (given as one shell string, or as words).
    static let tmuxCommandsRunningAProgram: Set<String> = [
        "new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane", "respawnp",
        "respawn-window", "respawnw",
    ]

    /// The scripts a shell would read when `argv` runs, wherever it hands one over:
    /// `sh -c SCRIPT` (any shell, any option cluster holding c, behind sudo, env, timeout...),
    /// `su USER -c SCRIPT`, and tmux given a single command string (it runs one word with the
    /// default shell, and several words directly: the unit's ExecStart relies on that).
    static func shellScripts(in argv: [String]) -> [String] {
        var scripts: [String] = []
        for (index, word) in argv.enumerated() {
            let name = (word as NSString).lastPathComponent
            let rest = Array(argv.dropFirst(index + 1))
            if Self.shells.contains(name), let script = shellCommand(rest) {
                scripts.append(script)
            } else if ["su", "runuser"].contains(name), let flag = rest.firstIndex(where: { $0 == "-c" || $0 == "--command" }),
                flag + 1 < rest.count {
                scripts.append(rest[flag + 1])
            } else if name == "tmux", let command = rest.first, Self.tmuxCommandsRunningAProgram.contains(command) {
                let words = tmuxCommand(Array(rest.dropFirst()))
                if words.count == 1 { scripts.append(words[0]) }
            }
        }
        return scripts
    }

    /// The script of `sh [options] -c SCRIPT`: the first word after the options, when one of
    /// them is a cluster holding c (`-c`, `-ec`, `-lc`).
    static func shellCommand(_ words: [String]) -> String? {
        var index = 0
        var readsScript = false
        while index < words.count, words[index].count > 1, words[index].hasPrefix("-") || words[index].hasPrefix("+") {
            if words[index] == "--" { break }
            if !words[index].hasPrefix("--") && words[index].contains("c") { readsScript = true }
            if ["-o", "+o", "-O", "+O"].contains(words[index]) { index += 1 }
            index += 1
        }
        return readsScript && index < words.count ? words[index] : nil
    }

    /// The words after a tmux command's options (its shell-command and arguments).
    static func tmuxCommand(_ words: [String]) -> [String] {
        let takesValue = Set("cefFnstxylp")
        var index = 0
        while index < words.count, words[index].hasPrefix("-"), words[index] != "-" {
            if words[index] == "--" { return Array(words.dropFirst(index + 1)) }
            if words[index].count == 2, let letter = words[index].last, takesValue.contains(letter) { index += 1 }
            index += 1
        }
        return Array(words.dropFirst(index))
    }

    /// What is wrong with a unit's shell lines: each Exec line is read as systemd reads it, and a
    /// script it hands to a shell may hold an answer only if that answer needs no quoting.
    static func shellProblems(inUnit text: String, values: Set<String>) throws -> (execLines: Int, problems: [String]) {
        let unit = SimUnitFile(text)
        var execLines = 0
        var problems: [String] = []
        for key in ["ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"] {
            for line in unit.values("Service", key) {
                execLines += 1
                for script in shellScripts(in: try SimUnitFile.execArgv(line)) {
                    for value in values where script.contains(value) && shellQuote(value) != value {
                        problems.append("\(key) hands a shell \(value), which it would interpret: \(line)")
                    }
                }
            }
        }
        return (execLines, problems)
    }

    @Test func noCommandRunsAShellWithAnAnswerInIt() throws {
        let machine = Self.sparkWithHostileAgentDir
        let context = stepContext(PracticeHost(machine: machine), options: RunOptions())
        var answers: [String: String] = [:]
        for question in Self.questions {
            for candidate in Self.hostileButValid[question.key] ?? [] {
                if case .success(let value) = Engine.validateAnswer(question, candidate, context) {
                    answers[question.key] = value
                    break
                }
            }
        }
        #expect(answers["swapfile"] == "/swap$(reboot)`id`;|&'\"%h#*")
        #expect(answers["agentDir"] == Self.hostileAgentDir)
        let (outcome, commands, _) = try Self.run(answers, on: machine)
        #expect(outcome == (try Self.run([:])).outcome, "\(outcome)")
        #expect(commands.count > 20)
        // Values worth looking for in a script: the hostile ones and every long-enough answer.
        let values = Set(answers.values).union(Rel.answers.values.filter { $0.count >= 4 && !["yes", "auto"].contains($0) })
        var scripts = 0
        for command in commands {
            for script in Self.shellScripts(in: command.argv) {
                scripts += 1
                for value in values { #expect(!script.contains(value), "\(command.argv) puts the answer \(value) in a shell script") }
            }
        }
        // The unit phase0 installed: a shell line in it may hold only answers that need no quoting.
        let unit = try #require(commands.first { $0.argv.last?.hasPrefix("/etc/systemd/system/") == true }?.input, "no unit was written")
        #expect(unit.contains("Vy$$bn's `id`;(x)/spark/tui.py"), "the hostile directory is not in the unit's ExecStart, so the check proves nothing")
        let (execLines, problems) = try Self.shellProblems(inUnit: unit, values: values)
        #expect(execLines >= 3, "the unit's Exec lines were not read")
        #expect(problems.isEmpty, "\(problems)")
        print("hostile answers: \(commands.count) commands and \(execLines) Exec lines checked, \(scripts) shell scripts among them, answers: \(answers.keys.sorted())")
    }

    /// The checks above see a shell wherever one is planted: a command, or a unit line.
    @Test func theShellChecksSeeAPlantedShell() throws {
        #expect(Self.shellScripts(in: ["sh", "-c", "x"]) == ["x"])
        #expect(Self.shellScripts(in: ["sudo", "-n", "timeout", "5", "/bin/bash", "-ec", "y"]) == ["y"])
        #expect(Self.shellScripts(in: ["su", "vybnz69", "-c", "z"]) == ["z"])
        #expect(Self.shellScripts(in: ["docker", "exec", "open-webui", "sh", "-lc", "w"]) == ["w"])
        #expect(Self.shellScripts(in: ["tmux", "new-session", "-d", "-s", "vybn", "python tui.py"]) == ["python tui.py"])
        #expect(Self.shellScripts(in: ["/usr/bin/tmux", "new-session", "-d", "-s", "vybn", "/usr/bin/python", "tui.py"]).isEmpty)
        #expect(Self.shellScripts(in: ["fallocate", "-l", "128G", "/swap$(reboot)"]).isEmpty)
        let session = "vy_b-n$"
        for planted in [
            "ExecStartPre=/bin/sh -c 'until curl -fsS http://127.0.0.1:11434; do sleep 2; done; tmux has -t vy_b-n$$'",
            "ExecStart=/usr/bin/tmux new-session -d -s vy_b-n$$ \"/usr/bin/python /home/vy_b-n$$/tui.py\"",
            "ExecStop=/usr/bin/env bash -c \"tmux kill-session -t =vy_b-n$$\"",
        ] {
            let (execLines, problems) = try Self.shellProblems(inUnit: "[Service]\n" + planted + "\n", values: [session, "/home/vybnz69"])
            #expect(execLines == 1 && problems.count == 1, "\(planted): \(problems)")
        }
        // A shell line whose answers need no quoting is allowed (a URL, a plain path).
        let plain = "[Service]\nExecStartPre=/bin/sh -c 'until curl -fsS http://127.0.0.1:11434; do sleep 2; done'\n"
        #expect(try Self.shellProblems(inUnit: plain, values: ["http://127.0.0.1:11434"]).problems.isEmpty)
    }
}
