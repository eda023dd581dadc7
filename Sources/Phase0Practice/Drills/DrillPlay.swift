import FoundationEssentials
import Phase0Core
import Phase0Parsers
import Phase0TeachingData

/// Loading drills (built in, or a teacher's file), checking them, breaking the simulated
/// Spark as a drill says, and judging whether it is fixed.
extension Drill {
    /// Every built-in drill, sorted by step then name; a broken one is an error (a test loads
    /// them all, so a bad file never ships).
    public static func builtIns() throws -> [Drill] {
        try EmbeddedTeachingData.drillNames.map(builtIn).sorted { ($0.step, $0.name) < ($1.step, $1.name) }
    }

    public static func builtIn(_ name: String) throws -> Drill {
        guard let text = EmbeddedTeachingData.drill(name) else {
            throw InputFileError(
                path: name, problem: "is not a drill; `phase0 drill` lists them: \(EmbeddedTeachingData.drillNames.joined(separator: ", "))"
            )
        }
        return try decode(Data(text.utf8), source: "Steps/Teaching/Drills/\(name).json", expectedName: name)
    }

    /// A teacher's drill file, played before it is added to Steps/Teaching/Drills.
    public static func load(path: String) throws -> Drill {
        let base = path.split(separator: "/").last.map { String($0.dropLast($0.hasSuffix(".json") ? 5 : 0)) }
        return try decode(try readInputFile(path, what: "drill"), source: path, expectedName: base)
    }

    static func decode(_ data: Data, source: String, expectedName: String?) throws -> Drill {
        let drill: Drill
        do { drill = try JSONDecoder().decode(Drill.self, from: data) } catch let problem as DrillProblem {
            throw InputFileError(path: source, problem: "is not a valid drill: \(problem)")
        } catch {
            throw InputFileError(path: source, problem: "is not a valid drill: \(describeDecodingError(error))")
        }
        if let expectedName, drill.name != expectedName {
            throw InputFileError(
                path: source,
                problem: "is not a valid drill: \"name\" is \"\(drill.name)\" but the file is \(expectedName).json; they must match")
        }
        if let problem = drill.problem() { throw InputFileError(path: source, problem: "is not a valid drill: \(problem)") }
        return drill
    }

    /// What no drill may be: the checks a decoder cannot make.
    func problem() -> String? {
        let lowercase = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        if name.isEmpty || !name.allSatisfy({ lowercase.contains($0) }) { return "\"name\" must be lowercase letters, digits and -" }
        if !(0...5).contains(step) { return "\"step\" must be a step of the guide, 0 to 5" }
        for (key, text) in [
            ("title", title), ("teaches", teaches), ("story", story), ("guide", guide), ("expert.why", expert.why),
            ("cause.question", cause.question), ("verify.why", verify.why),
        ] where text.trimmingWhitespace().isEmpty {
            return "\"\(key)\" is empty"
        }
        if par < 1 { return "\"par\" must be at least 1" }
        if cause.choices.count < 2 { return "\"cause.choices\" needs at least two choices" }
        if cause.choices.filter(\.correct).count != 1 { return "\"cause.choices\" needs exactly one correct choice" }
        if useful.isEmpty { return "\"useful\" lists no command" }
        if fix.commands.isEmpty { return "\"fix.commands\" lists no command" }
        if fix.solvedWhen.isEmpty { return "\"fix.solvedWhen\" lists no condition" }
        if verify.commands.isEmpty { return "\"verify.commands\" lists no command" }
        let names = (pretend ?? []).map(\.name)
        if Set(names).count != names.count { return "\"pretend\" names must be different" }
        var lines: [(String, String)] = useful.map { ("useful", $0) } + [("expert.first", expert.first)]
        lines += fix.commands.map { ("fix.commands", $0) } + verify.commands.map { ("verify.commands", $0) }
        for step in setup { if case .run(let line) = step { lines.append(("setup", line)) } }
        for (key, line) in lines {
            do {
                let parsed = try ShellLine.parse(line)
                guard !parsed.commands.isEmpty else { return "\"\(key)\": an empty command" }
                for words in parsed.commands {
                    let program = DrillShell.unwrapSudo(words, operatorUser: "operator").1.first ?? ""
                    if !program.hasPrefix("/") && !DrillShell.programs.contains(program) && !names.contains(program) && program != "pretend"
                    {
                        return "\"\(key)\": `\(program)` in \"\(line)\" is not a program the drill prompt knows"
                    }
                }
            } catch { return "\"\(key)\": \"\(line)\": \(error)" }
        }
        return nil
    }

    /// The Spark of `base` broken as this drill says. Setup commands leave no history.
    public func prepare(_ base: SimulatedSpark) -> (machine: SimulatedSpark, failures: [String]) {
        var shell = DrillShell(machine: base)
        var failures: [String] = []
        for step in setup {
            switch step {
            case .run(let line):
                let outcome = shell.run(line)
                if outcome.unknown != nil { failures.append("\(line): not a drill command") }
            case .scenario(let scenario): shell.machine = scenario.apply(to: shell.machine)
            case .reboot: shell.machine.reboot()
            case .kernelLog(let lines): shell.machine.kernelLog = (shell.machine.kernelLog ?? []) + lines
            }
        }
        shell.machine.history = []
        return (shell.machine, failures)
    }

    public func solved(_ machine: SimulatedSpark) -> Bool { fix.solvedWhen.allSatisfy { Self.holds($0, on: machine) } }

    /// Whether `condition` holds, judged on a copy: looking never changes the trainee's Spark.
    public static func holds(_ condition: Condition, on machine: SimulatedSpark) -> Bool {
        switch condition {
        case .run(let line, let status, let contains, let lacks):
            var shell = DrillShell(machine: machine)
            let outcome = shell.run(line)
            return outcome.unknown == nil && outcome.exitStatus == status
                && contains.map(outcome.output.contains) ?? true && !(lacks.map(outcome.output.contains) ?? false)
        case .afterReboot(let nested):
            var rebooted = machine
            rebooted.reboot()
            return nested.allSatisfy { holds($0, on: rebooted) }
        case .anyOf(let nested):
            return nested.contains { holds($0, on: machine) }
        case .swapAtLeastGiB(let size):
            let total = machine.swaps.reduce(Int64(0)) { $0 + $1.sizeKiB }
            return total >= Int64(size) * 1024 * 1024 - 4 * Int64(max(1, machine.swaps.count))
        case .webUIReachesOllama:
            return machine.webUIReachesOllama
        }
    }
}

extension SimulatedSpark {
    /// The container named open-webui, running, reaches Ollama's tag list at its OLLAMA_BASE_URL.
    var webUIReachesOllama: Bool {
        guard let index = containerIndex("open-webui"), docker.containers[index].running, docker.daemonRunning,
            let base = runConfig(docker.containers[index]).envValue("OLLAMA_BASE_URL")
        else { return false }
        return exec(["open-webui", "curl", "-s", base + "/api/tags"]).succeeded
    }
}
