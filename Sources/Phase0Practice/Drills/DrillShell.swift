import Phase0Core
import Phase0Parsers

/// Runs what a trainee types at a drill's prompt on the simulated Spark, as the operator
/// (`sudo` makes it root), with the output the real tools would print. Pipelines end in the
/// usual filters (grep, tail, head, wc, sort, tee). A program the simulation does not have is
/// answered "not in this drill", never guessed at.
public struct DrillShell {
    public var machine: SimulatedSpark
    public init(machine: SimulatedSpark) { self.machine = machine }

    /// What a line produced: its output and the exit status of its last pipeline; `unknown`
    /// names a program that is not in the drill (the caller lists the useful ones).
    public struct Outcome: Equatable {
        public var output: String
        public var exitStatus: Int32
        public var unknown: String?
    }

    /// Programs the drill prompt answers (the simulation's and the shell's own).
    public static let programs: Set<String> = [
        "systemctl", "journalctl", "systemd-analyze", "free", "swapon", "cat", "ls", "grep", "tail", "head", "wc", "sort",
        "dmesg", "vmstat", "docker", "ss", "curl", "tailscale", "tmux", "sysctl", "echo", "printf", "tee", "sed", "rm",
        "cp", "mv", "findmnt", "uptime", "ps", "pgrep", "pkill", "whoami", "hostname", "id", "true", "false", "ollama",
        "reboot", "ip", "fallocate", "chmod", "mkswap", "test", "stat", "cd", "pwd", "ufw", "apt-get", "apt", "mosh",
    ]

    public mutating func run(_ text: String) -> Outcome {
        let line: ShellLine
        do { line = try ShellLine.parse(text) } catch {
            return Outcome(output: "bash: \(error)\n", exitStatus: 2, unknown: nil)
        }
        var output = ""
        var status: Int32 = 0
        for pipeline in line.pipelines {
            if pipeline.joiner == .ifSucceeded && status != 0 { continue }
            var input: String?
            for (index, stage) in pipeline.stages.enumerated() {
                let (user, words) = Self.unwrapSudo(stage, operatorUser: machine.operatorUser)
                guard let program = words.first else {
                    return Outcome(output: output + "sudo: a command is required\n", exitStatus: 1, unknown: nil)
                }
                let name = program.split(separator: "/").last.map(String.init) ?? program
                guard Self.programs.contains(name) || program.hasPrefix("/") else {
                    return Outcome(output: output, exitStatus: 127, unknown: name)
                }
                let expanded = words.map { $0.replacing("$USER", with: machine.operatorUser) }
                let result = command(expanded, as: user, input: index == 0 ? nil : (input ?? ""))
                input = result.output
                status = result.exitStatus
            }
            if !pipeline.hidesOutput { output += input ?? "" }
        }
        return Outcome(output: output, exitStatus: status, unknown: nil)
    }

    /// (user, words) with a leading `sudo [-n] [-E] [-H] [-u USER] [--]` taken off.
    static func unwrapSudo(_ words: [String], operatorUser: String) -> (String, [String]) {
        guard words.first == "sudo" else { return (operatorUser, words) }
        var rest = words.dropFirst()
        var user = "root"
        while let flag = rest.first, flag.hasPrefix("-") {
            rest.removeFirst()
            if flag == "--" { break }
            if flag == "-u", let name = rest.first {
                user = name
                rest.removeFirst()
            }
        }
        return (user, Array(rest))
    }

    /// One command, with the text piped into it (nil for the first stage).
    mutating func command(_ words: [String], as user: String, input: String?) -> CommandResult {
        let name = words[0].split(separator: "/").last.map(String.init) ?? words[0]
        let args = Array(words.dropFirst())
        if let filtered = filter(name, args, input: input, as: user) { return filtered }
        if let answer = machine.teachingCommand(name, args, as: user) { return answer }
        if name == "curl" {
            // The simulation answers its own URLs; a page on the tailnet or the internet is not in the drill.
            return machine.execute(words, as: user, input: nil)
        }
        return machine.execute(words, as: user, input: input)
    }

    /// The filters at the end of a pipeline (or reading files when given some).
    mutating func filter(_ name: String, _ args: [String], input: String?, as user: String) -> CommandResult? {
        let flags = args.filter { $0.hasPrefix("-") && $0.count > 1 }
        var operands = args.filter { !$0.hasPrefix("-") || $0 == "-" }
        switch name {
        case "grep":
            // -A N: N lines of context after each match (attached, -A2, or apart, -A 2).
            var after = 0
            if let at = args.firstIndex(where: { $0.hasPrefix("-A") }) {
                if let attached = Int(args[at].dropFirst(2)) {
                    after = attached
                } else if at + 1 < args.count, let apart = Int(args[at + 1]) {
                    after = apart
                    operands.removeAll { $0 == args[at + 1] }
                }
            }
            let counting = flags.contains { $0.contains("c") && !$0.hasPrefix("--") }
            let invert = flags.contains { $0.contains("v") && !$0.hasPrefix("--") }
            let recursive = flags.contains { $0.contains("r") && !$0.hasPrefix("--") }
            let patternIndex = args.firstIndex(of: "-e").map { $0 + 1 }
            let pattern: String
            if let patternIndex, patternIndex < args.count {
                pattern = args[patternIndex]
                operands.removeAll { $0 == pattern }
            } else {
                guard !operands.isEmpty else { return .init(exitStatus: 2, output: "Usage: grep [OPTION]... PATTERNS [FILE]...\n") }
                pattern = operands.removeFirst()
            }
            let matcher = SimPattern(
                pattern, ignoreCase: flags.contains { $0.contains("i") && !$0.hasPrefix("--") },
                extended: flags.contains { $0.contains("E") && !$0.hasPrefix("--") })
            var sources: [(String?, String)] = []
            if operands.isEmpty { sources = [(nil, input ?? "")] }
            for operand in operands {
                let paths =
                    recursive
                    ? machine.files.keys.filter { $0 == operand || $0.hasPrefix(operand.hasSuffix("/") ? operand : operand + "/") }.sorted()
                    : [operand]
                for path in paths where machine.files[path]?.isDirectory != true {
                    guard let text = machine.readable(path) else {
                        return .init(exitStatus: 2, output: "grep: \(path): No such file or directory\n")
                    }
                    sources.append((operands.count > 1 || recursive ? path : nil, text))
                }
            }
            var lines: [String] = []
            for (label, text) in sources {
                let all = Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0))
                var shownUpTo = -1
                for (index, line) in all.enumerated() where matcher.matches(String(line)) != invert {
                    for context in max(index, shownUpTo + 1)...min(all.count - 1, index + after) {
                        lines.append((label.map { $0 + ":" } ?? "") + all[context])
                    }
                    shownUpTo = max(shownUpTo, index + after)
                }
            }
            let text = counting ? "\(lines.count)\n" : lines.map { $0 + "\n" }.joined()
            return .init(exitStatus: lines.isEmpty ? 1 : 0, output: text)
        case "tail", "head":
            var count = 10
            if let n = args.firstIndex(of: "-n"), n + 1 < args.count, let value = Int(args[n + 1]) {
                count = value
                operands.removeAll { $0 == args[n + 1] }
            }
            if let short = flags.first(where: { Int($0.dropFirst()) != nil }) { count = Int(short.dropFirst())! }
            if args.contains("-f") {
                return .init(exitStatus: 1, output: "\(name) -f follows forever; the drill shows what is there now: drop -f\n")
            }
            let text: String
            if let path = operands.first {
                guard let content = machine.readable(path) else {
                    return .init(exitStatus: 1, output: "\(name): cannot open '\(path)' for reading: No such file or directory\n")
                }
                text = content
            } else {
                text = input ?? ""
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            let kept = name == "tail" ? lines.suffix(count) : lines.prefix(count)
            return .init(exitStatus: 0, output: kept.map { $0 + "\n" }.joined())
        case "wc":
            guard input != nil || !operands.isEmpty else { return nil }
            let text = operands.first.flatMap { machine.readable($0) } ?? input ?? ""
            return .init(
                exitStatus: 0,
                output: "\(text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0))\n")
        case "sort":
            let text = input ?? ""
            return .init(exitStatus: 0, output: text.split(separator: "\n").map(String.init).sorted().map { $0 + "\n" }.joined())
        case "tee":
            guard let path = operands.first else { return .init(exitStatus: 0, output: input ?? "") }
            let appending = flags.contains("-a") || flags.contains("--append")
            if let refused = machine.writeFile(
                path, appending ? (machine.files[path]?.content ?? "") + (input ?? "") : (input ?? ""), as: user)
            {
                return .init(exitStatus: 1, output: "tee: \(refused)\n")
            }
            return .init(exitStatus: 0, output: input ?? "")
        case "cat" where input != nil && operands.isEmpty:
            return .init(exitStatus: 0, output: input ?? "")
        default:
            return nil
        }
    }
}
