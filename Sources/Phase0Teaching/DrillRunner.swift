import Phase0Core
import Phase0Parsers
import Phase0Practice

/// Plays one drill with a trainee at a prompt: investigate with real commands, name the
/// cause, type the fix, verify it. Ends with what an expert looks at first, the guide's text
/// for the case and the count of commands; the caller saves the result.
public final class DrillRunner {
    let drill: Drill
    var shell: DrillShell
    let reader: LineReader
    let output: Output

    public private(set) var commands = 0
    public private(set) var hints = 0
    public private(set) var wrongCauses = 0
    public private(set) var causeNamed = false
    public private(set) var solved = false
    public private(set) var verified = false
    public private(set) var gaveUp = false

    public init(drill: Drill, machine: SimulatedSpark, reader: LineReader, output: Output) {
        self.drill = drill
        shell = DrillShell(machine: machine)
        self.reader = reader
        self.output = output
    }

    public var finished: Bool { causeNamed && solved && verified }

    /// 100 for an expert's path; less for each wrong cause, hint, and command past par; 0 for
    /// giving up.
    public var score: Int {
        guard finished, !gaveUp else { return 0 }
        return max(10, min(100, 100 - 10 * wrongCauses - 10 * hints - 3 * max(0, commands - drill.par)))
    }

    var prompt: String { "\(shell.machine.operatorUser)@\(shell.machine.hostname):~$ " }

    func say(_ text: String) { output.write(text + "\n") }

    /// Runs until the drill is finished or given up (Ctrl-D or `giveup`).
    public func play() throws {
        say("== Drill: \(drill.title) (Step \(drill.step)) ==")
        say(wrapped(drill.story, indent: ""))
        say("")
        say(
            wrapped(
                "(practice) This is the simulated Spark, broken on purpose; nothing on this machine changes. Type the commands you would type on the real one. `?` lists useful ones, `cause` when you know what is wrong, `hint` if stuck, `giveup` to see the answer.",
                indent: ""))
        while !finished {
            guard let raw = try reader.readLine(prompt: prompt, completion: .none) else {
                gaveUp = true
                break
            }
            var line = raw.trimmingWhitespace()
            // A trailing backslash continues the command on the next line, as in a shell.
            while line.hasSuffix("\\"), let more = try reader.readLine(prompt: "> ", completion: .none) {
                line = String(line.dropLast()) + " " + more.trimmingWhitespace()
            }
            // The drill's history keeps what was typed, as a shell's would, but never a secret.
            if !line.isEmpty, Redactor.secretKind(in: line) == nil { reader.accepted(line) }
            if try !handle(line) {
                gaveUp = true
                break
            }
        }
        summary()
    }

    /// One line at the prompt; false when the trainee gives up.
    func handle(_ line: String) throws -> Bool {
        let words = line.split(separator: " ").map(String.init)
        switch words.first ?? "" {
        case "": return true
        case "?", "help":
            if words.count > 1, let entry = Glossary.entry(words.dropFirst().joined(separator: " ")) {
                output.write(Glossary.render(entry))
                return true
            }
            usefulList()
        case "glossary":
            if words.count > 1, let entry = Glossary.entry(words.dropFirst().joined(separator: " ")) {
                output.write(Glossary.render(entry))
            } else {
                output.write(Glossary.explainTerms(in: drill.story + " " + drill.useful.joined(separator: " "), indent: ""))
            }
        case "cause": try nameCause()
        case "hint":
            hints += 1
            if !causeNamed {
                say("Hint: an expert would look here first: `\(drill.expert.first)`")
            } else {
                say("Hint: the fix is\n" + drill.fix.commands.map { "  \($0)" }.joined(separator: "\n"))
            }
        case "pretend": pretend(words.dropFirst().joined(separator: " "))
        case "giveup", "give", "quit", "exit", "logout": return false
        default: run(line)
        }
        return true
    }

    func usefulList() {
        say("Useful here (type them as on the Spark):")
        for command in drill.useful { say("  \(command)") }
        if let pretend = drill.pretend, !pretend.isEmpty {
            say("Things only a person can do, acted out: " + pretend.map { "`pretend \($0.name)`" }.joined(separator: ", "))
        }
        say("Also: `cause` (name what is wrong), `hint`, `? TERM` (glossary), `giveup`.")
    }

    func run(_ line: String) {
        commands += 1
        let outcome = shell.run(line)
        if let unknown = outcome.unknown {
            say(
                "\(unknown): not in this drill. Useful here: " + drill.useful.prefix(4).map { "`\($0)`" }.joined(separator: ", ")
                    + " (`?` for all)")
            return
        }
        output.write(outcome.output)
        checkProgress(typed: line)
    }

    func pretend(_ name: String) {
        guard let action = drill.pretend?.first(where: { $0.name == name }) else {
            let names = (drill.pretend ?? []).map(\.name)
            say(
                names.isEmpty
                    ? "Nothing to pretend in this drill: everything here is a command." : "pretend what? " + names.joined(separator: ", "))
            return
        }
        commands += 1
        say(wrapped("(practice) PRETEND: \(action.says)", indent: ""))
        shell.machine = action.scenario.apply(to: shell.machine)
        checkProgress(typed: nil)
    }

    /// After each command: is the Spark fixed now, and was this line a verification?
    func checkProgress(typed line: String?) {
        let nowSolved = drill.solved(shell.machine)
        if nowSolved && !solved {
            say(
                causeNamed
                    ? "(The simulated Spark looks fixed. Now check it as you would on the real one.)"
                    : "(The simulated Spark looks fixed. Name the cause with `cause` to finish.)")
        } else if !nowSolved && solved {
            say("(That broke it again.)")
            verified = false
        }
        solved = nowSolved
        if solved, let line, Self.isVerification(line, drill.verify.commands) {
            verified = true
            if !causeNamed { say("(Checked. Now name the cause with `cause`.)") }
        }
    }

    /// Whether `line` is one of the verification commands (sudo or not, spacing aside).
    static func isVerification(_ line: String, _ commands: [String]) -> Bool {
        // `sudo`, `--no-pager` and a unit's `.service` change nothing about what is checked.
        func normal(_ text: String) -> [String] {
            let words = text.split(separator: " ").map { $0.hasSuffix(".service") ? String($0.dropLast(8)) : String($0) }
            return (words.first == "sudo" ? Array(words.dropFirst()) : words).filter { $0 != "--no-pager" }
        }
        return commands.contains { normal(line) == normal($0) }
    }

    func nameCause() throws {
        say(drill.cause.question)
        for (index, choice) in drill.cause.choices.enumerated() { say("  \(index + 1). \(choice.text)") }
        guard let raw = try reader.readLine(prompt: "Your answer (1-\(drill.cause.choices.count), Enter to go back): ", completion: .none),
            let number = Int(raw.trimmingWhitespace()), (1...drill.cause.choices.count).contains(number)
        else {
            say("(No answer: back to the prompt.)")
            return
        }
        let choice = drill.cause.choices[number - 1]
        guard choice.correct else {
            wrongCauses += 1
            say(wrapped("Not that: \(choice.because)", indent: ""))
            return
        }
        causeNamed = true
        say(wrapped("Right: \(choice.because)", indent: ""))
        if !solved {
            say("Now fix it: type the commands that fix it (`hint` shows them).")
        } else if !verified {
            say("It is fixed already: check it as you would on the real Spark.")
        }
    }

    func summary() {
        let correct = drill.cause.choices.first(where: \.correct)?.text ?? ""
        say("\n== Drill \(finished ? "done" : "ended"): \(drill.title) ==")
        if !finished { say("The cause: \(correct)") }
        say("The fix:\n" + drill.fix.commands.map { "  \($0)" }.joined(separator: "\n"))
        say("And a check: `\(drill.verify.commands[0])` (\(drill.verify.why))")
        say("What an expert looks at first: `\(drill.expert.first)`")
        say(wrapped(drill.expert.why, indent: "  "))
        say("The guide on this case:")
        say(drill.guide.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n"))
        say("Commands used: \(commands) (an expert needs about \(drill.par)). Hints: \(hints). Wrong causes: \(wrongCauses).")
        say("Score: \(score)/100" + (finished ? "" : " (not finished)"))
    }
}
