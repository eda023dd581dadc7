import Testing
import Foundation
@testable import Phase0Practice
import Phase0Teaching
import Phase0TeachingData
import Phase0Core
import Phase0Steps

/// The drills as data: every built-in one is valid, really broken before its fix and fixed
/// after it (judged by the simulation, not by the drill's say-so), and a bad drill file is
/// refused naming the file and the key.
@Suite struct TeachingDrillTests {
    /// The cases the issue names, each covered by a drill.
    static let required = ["ollama-not-ready", "agent-oom-killed", "webui-cannot-reach-ollama", "serve-https-off",
                           "tmux-server-by-hand", "swap-lost-after-reboot", "swappiness-reverted-at-boot", "webui-exposed-without-admin"]

    static let baseline: SimulatedSpark = (try? DrillBaseline.phase0Done()) ?? SimulatedSpark()

    @Test func theBuiltInDrillsLoadAndCoverTheGuidesCases() throws {
        let drills = try Drill.builtIns()
        #expect(drills.count >= 8)
        #expect(Set(Self.required).isSubset(of: Set(drills.map(\.name))))
        #expect(try DrillBaseline.phase0Done().files["/etc/systemd/system/vybn-agent.service"] != nil, "the baseline is Phase 0 done")
    }

    @Test(arguments: required)
    func eachDrillIsBrokenUntilItsFixAndFixedAfter(name: String) throws {
        let drill = try Drill.builtIn(name)
        let (broken, failures) = drill.prepare(Self.baseline)
        #expect(failures.isEmpty, "\(failures)")
        #expect(!drill.solved(broken), "\(name): the setup must break something")
        #expect(drill.solved(Self.baseline), "\(name): the working Spark (Phase 0 done) is what its fix restores")
        var shell = DrillShell(machine: broken)
        for command in drill.fix.commands {
            if command.hasPrefix("pretend ") {
                let action = try #require(drill.pretend?.first { $0.name == String(command.dropFirst(8)) })
                shell.machine = action.scenario.apply(to: shell.machine)
                continue
            }
            let outcome = shell.run(command)
            #expect(outcome.unknown == nil && outcome.exitStatus == 0, "\(name): `\(command)` -> \(outcome.exitStatus) \(outcome.output)")
        }
        #expect(drill.solved(shell.machine), "\(name): the drill's own fix must fix the simulated Spark")
        // The expert's first look and the verification commands are real commands here.
        for line in [drill.expert.first] + drill.verify.commands + drill.useful {
            var look = DrillShell(machine: shell.machine)
            #expect(look.run(line).unknown == nil, "\(name): `\(line)`")
        }
    }

    /// The guide's own fix for a tmux session left by hand (kill-session, restart) is not
    /// enough while the hand-run server on the agent's socket lives: the next start lands in it
    /// again. The operator's own tmux (the default socket) is another server: stopping it
    /// changes nothing for the agent.
    @Test func killingOnlyTheSessionLeavesTheCapturingServer() throws {
        let drill = try Drill.builtIn("tmux-server-by-hand")
        var shell = DrillShell(machine: drill.prepare(Self.baseline).machine)
        _ = shell.run("tmux -L vybn kill-session -t vybn && sudo systemctl restart vybn-agent.service")
        #expect(!drill.solved(shell.machine))
        #expect(shell.run("systemctl is-active vybn-agent.service").output == "failed\n")
        _ = shell.run("tmux kill-server; sudo systemctl restart vybn-agent.service")
        #expect(!drill.solved(shell.machine), "the default socket's server is not the one that captured it")
        _ = shell.run("tmux -L vybn kill-server; sudo systemctl restart vybn-agent.service")
        #expect(drill.solved(shell.machine))
    }

    /// Swap turned on by hand is not a fix: the next boot reads /etc/fstab.
    @Test func swaponWithoutFstabDoesNotSurviveTheReboot() throws {
        let drill = try Drill.builtIn("swap-lost-after-reboot")
        var shell = DrillShell(machine: drill.prepare(Self.baseline).machine)
        #expect(shell.run("swapon --show").output.contains("/swap.img file  16G"))
        _ = shell.run("sudo swapon /swapfile")
        #expect(Drill.holds(.swapAtLeastGiB(64), on: shell.machine))
        #expect(!drill.solved(shell.machine), "only active until the next boot")
    }

    /// `sysctl --system` (procps) applies the same files in the same order, then
    /// /etc/sysctl.conf again, last: it fixes neither the drill's file nor a 60 there.
    @Test func sysctlSystemReappliesWhatTheBootApplies() throws {
        let drill = try Drill.builtIn("swappiness-reverted-at-boot")
        var shell = DrillShell(machine: drill.prepare(Self.baseline).machine)
        let output = shell.run("sudo sysctl --system").output
        #expect(output.contains("* Applying /etc/sysctl.d/zz-monitoring-agent.conf ...\nvm.swappiness = 60\n"), "\(output)")
        #expect(shell.machine.swappiness == 60)
        #expect(!drill.solved(shell.machine))
        // procps reads /etc/sysctl.conf once more after everything (FACTS.md B2).
        var conf = DrillShell(machine: Self.baseline)
        _ = conf.run("echo 'vm.swappiness=60' | sudo tee -a /etc/sysctl.conf")
        #expect(conf.run("sudo sysctl --system").output.hasSuffix("* Applying /etc/sysctl.conf ...\nvm.swappiness = 60\n"))
        #expect(conf.machine.swappiness == 60)
        // At boot phase0's 99-zz-… drop-in comes after 99-sysctl.conf: 10 wins (FACTS.md B1).
        conf.machine.reboot()
        #expect(conf.machine.swappiness == 10)
    }

    // MARK: - Bad drill files

    func problem(_ json: String, file: String = "bad-drill") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drills-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(file + ".json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        do { _ = try Drill.load(path: path); return "accepted" } catch let error as InputFileError {
            #expect(error.path == path)
            return error.problem
        }
    }

    /// A valid drill (the built-in one) with `change` applied to its JSON object.
    func variant(_ change: (inout [String: Any]) -> Void) throws -> String {
        let text = try #require(EmbeddedTeachingData.drill("serve-https-off"))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        object["name"] = "bad-drill"
        change(&object)
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func aTeachersValidDrillFileLoads() throws {
        #expect(try problem(try variant { _ in }) == "accepted")
    }

    @Test func badDrillFilesAreRefusedNamingTheKey() throws {
        #expect(try problem(try variant { $0["hints"] = "typo" }).contains("unknown key \"hints\""))
        #expect(try problem(try variant { $0["guide"] = nil }).contains("missing key \"guide\""))
        let nested = try problem(try variant { object in
            var cause = object["cause"] as! [String: Any]
            var choices = cause["choices"] as! [[String: Any]]
            choices[0]["hint"] = "x"
            cause["choices"] = choices
            object["cause"] = cause
        })
        #expect(nested.contains("unknown key \"hint\"") && nested.contains("cause.choices"), "\(nested)")
        #expect(try problem(try variant { object in
            var cause = object["cause"] as! [String: Any]
            cause["choices"] = (cause["choices"] as! [[String: Any]]).map { var c = $0; c["correct"] = true; return c }
            object["cause"] = cause
        }).contains("exactly one correct choice"))
        #expect(try problem(try variant { $0["useful"] = ["ipconfig /all"] }).contains("`ipconfig`"))
        #expect(try problem(try variant { $0["setup"] = [["reboot": true, "run": "true"]] }).contains("exactly one of run, scenario, reboot, kernelLog"))
        #expect(try problem(try variant { $0["fix"] = ["commands": ["true"], "solvedWhen": [["fact": "the moon"]]] }).contains("unknown fact"))
        #expect(try problem(try variant { $0["name"] = "other" }).contains("\"name\" is \"other\" but the file is bad-drill.json"))
        #expect(try problem("{\"name\": ").contains("not valid JSON"))
    }
}

/// README's written-out drill is the real one, so a teacher copying it starts from a valid file.
@Suite struct TeachingReadmeTests {
    @Test func theReadmesDrillExampleIsTheBuiltInFile() throws {
        let readme = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../README.md").standardized.path, encoding: .utf8)
        let start = try #require(readme.range(of: "  ```json\n  {\n    \"name\": \"serve-https-off\""))
        let end = try #require(readme.range(of: "  ```\n", range: start.upperBound..<readme.endIndex))
        let block = readme[readme.index(start.lowerBound, offsetBy: 10)..<end.lowerBound]
        let example = try JSONSerialization.jsonObject(with: Data(block.utf8)) as? NSDictionary
        let text = try #require(EmbeddedTeachingData.drill("serve-https-off"))
        let builtIn = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        #expect(example != nil && example == builtIn)
    }
}

/// The runbook's script guards each block with the wizard's own check: every action of the
/// procedure has a shell check, or writes a file (checked by content), or is a test, an
/// observation or a person's task. A new action without one fails here.
@Suite struct RunbookGuardTests {
    @Test func everyActionOfTheProcedureHasAShellCheck() {
        let writesAFile: Set<String> = ["swappiness-persist", "fstab", "unit-file"]
        for step in Procedure.steps() {
            for action in step.actions {
                switch action.kind {
                case .observation, .operatorTask: continue
                case .commands:
                    let covered = RunbookGuards.hasCheck(action.id) || RunbookGuards.tests.contains(action.id) || writesAFile.contains(action.id)
                    #expect(covered, "Step \(step.number) action \(action.id) has no shell check in RunbookGuards")
                }
            }
        }
    }
}
