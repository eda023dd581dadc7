@testable import Phase0Parsers
@testable import Phase0Practice
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

    static func context() -> StepContext {
        let machine = SimulatedSpark()
        return StepContext(host: PracticeHost(machine: machine), output: CapturedOutput(),
                           progress: Progress(mode: .practice, stepCount: 6, machine: machine, now: "T"), options: RunOptions())
    }

    @Test func theCorpusHasEveryKindOfHostileValue() {
        #expect(HostileCorpus.all.count >= 40)
        let keys = Set(Self.questions.map(\.key))
        for key in Set(HostileCorpus.all.map(\.key)) { #expect(keys.contains(key), "no question asks \(key)") }
    }

    @Test(arguments: HostileCorpus.all)
    func eachValueIsRefusedWithItsReasonOrAcceptedAsItself(_ hostile: HostileAnswer) throws {
        let question = try #require(Self.questions.first { $0.key == hostile.key })
        // The same rule the engine applies to every answer, typed or from a file.
        let result = Engine.validateAnswer(question, hostile.value, Self.context())
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

    /// The in-process practice run with `answers`, recording every command.
    static func run(_ answers: [String: String]) throws -> (outcome: RunOutcome, commands: [Command], machine: SimulatedSpark) {
        let directory = try Rel.tempDir("hostile", memory: true)
        defer { Rel.remove(directory) }
        let log = CommandLog()
        let result = try InProcessRun(statePath: directory + "/state.json", answers: Rel.answers.merging(answers) { $1 })
            .run(machine: Rel.spark(), host: { RecordingHost(inner: $0, log: log) })
        return (result.outcome, log.commands, result.machine)
    }

    /// The sources of an fstab, as the real `findmnt` (util-linux) parses the file.
    static func fstabSources(_ text: String) throws -> [String] {
        let path = try Rel.tempDir("fstab", memory: true)
        defer { Rel.remove(path) }
        try Rel.write(text, to: path + "/fstab")
        let parsed = try Rel.run(["/usr/bin/findmnt", "--tab-file", path + "/fstab", "-J", "-o", "SOURCE"], environment: [:])
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
        "tmuxSession": ["vy_b-n$"], "unitName": ["vybn-ag%ent.service", "vybn-agent2.service"],
        "webuiContainer": ["open-webui_$x", "open-webui.2"], "webuiVolume": ["open-webui.vol"],
        "webuiPort": ["3001"], "model": ["vybn:latest$(id)", "vybn:latest"],
    ]

    /// Shells that would interpret a script argument.
    static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"]

    @Test func noCommandRunsAShellWithAnAnswerInIt() throws {
        let context = Self.context()
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
        let (_, commands, _) = try Self.run(answers)
        #expect(!commands.isEmpty)
        // Values worth looking for in a script: the hostile ones and every long-enough answer.
        let values = Set(answers.values).union(Rel.answers.values.filter { $0.count >= 4 && !["yes", "auto"].contains($0) })
        var scripts = 0
        for command in commands {
            for (index, word) in command.argv.enumerated() where Self.shells.contains((word as NSString).lastPathComponent) {
                guard index + 2 < command.argv.count, command.argv[index + 1].hasPrefix("-"), command.argv[index + 1].contains("c") else { continue }
                scripts += 1
                let script = command.argv[index + 2]
                for value in values { #expect(!script.contains(value), "\(command.argv) puts the answer \(value) in a shell script") }
            }
        }
        // Unit files may hold a shell line (ExecStartPre waits for Ollama): any answer in it
        // must need no quoting at all.
        for command in commands where command.argv.last?.hasPrefix("/etc/systemd/system/") == true {
            for line in (command.input ?? "").split(separator: "\n") where line.contains("sh -c") {
                for value in values where line.contains(value) {
                    #expect(shellQuote(value) == value, "the unit's shell line holds \(value), which a shell would interpret")
                }
            }
        }
        print("hostile answers: \(commands.count) commands checked, \(scripts) shell scripts among them, answers: \(answers.keys.sorted())")
    }
}
