@testable import Phase0Parsers
@testable import Phase0Practice
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// The exported playbook keeps issue 9's real-Spark rules, as the wizard does: Open WebUI is
/// never served before it has an owner, Step 2 looks only at the agent's own tmux socket,
/// swappiness wins at boot, and every refusal comes before the first change.
@Suite struct ExportTestsRealSpark {
    struct Task {
        var name: String
        var body: String
    }

    /// The play's tasks, in order (each starts at `    - name:`).
    static func tasks(_ playbook: String) -> [Task] {
        var tasks: [Task] = []
        for line in playbook.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("    - name: ") {
                tasks.append(Task(name: String(line.dropFirst("    - name: ".count)), body: ""))
            } else if !tasks.isEmpty {
                tasks[tasks.count - 1].body += line + "\n"
            }
        }
        return tasks
    }

    static func playbook(_ answers: [String: String] = ["tmuxSession": "agent", "webuiPort": "3100"]) throws -> String {
        AnsiblePlaybook.text(try ExportTests.values(answers))
    }

    static func index(_ tasks: [Task], _ what: String, where matches: (Task) -> Bool) throws -> Int {
        let found = tasks.firstIndex(where: matches)
        return try #require(found, "no task: \(what)")
    }

    @Test func openWebUIIsNeverServedBeforeSomeoneOwnsIt() throws {
        let v = try ExportTests.values(["webuiPort": "3100"])
        let text = AnsiblePlaybook.text(v)
        let tasks = Self.tasks(text)
        let read = try Self.index(tasks, "read /api/config") {
            $0.body.contains("ansible.builtin.uri:") && $0.body.contains("/api/config")
        }
        #expect(tasks[read].body.contains("url: \"http://127.0.0.1:{{ phase0_webui_port }}/api/config\""))
        #expect(tasks[read].body.contains("return_content: true") && tasks[read].body.contains("check_mode: false"))
        let readable = try Self.index(tasks, "the answer is Open WebUI's configuration") {
            $0.body.contains("ansible.builtin.assert:") && $0.body.contains("phase0_webui_config.status")
        }
        let owned = try Self.index(tasks, "assert no onboarding") {
            $0.body.contains("ansible.builtin.assert:") && $0.body.contains(".onboarding") && $0.body.contains("is not sameas true")
        }
        let serve = try Self.index(tasks, "tailscale serve --bg") { $0.body.contains("tailscale, serve, --bg") }
        #expect(read < readable && readable < owned && owned < serve, "read \(read), readable \(readable), owned \(owned), serve \(serve)")
        #expect(
            tasks[..<serve].allSatisfy { !$0.body.contains("tailscale, serve") || !$0.body.contains("changed_when: true") },
            "nothing changes Serve before the owner check")
        // The refusal says how to register, as the wizard's Step 3/4 does, and to run again.
        let message = tasks[owned].body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(message.contains("ssh -L {{ phase0_webui_port }}:127.0.0.1:{{ phase0_webui_port }} {{ phase0_user }}@"), "\(message)")
        #expect(message.contains("sign up") && message.contains("run the playbook again") && message.contains("Nothing was served"))
        let debug = try Self.index(tasks, "Step 3's word about the first account") { $0.name.hasPrefix("Step 3 | the first account") }
        #expect(tasks[debug].body.contains("ssh -L {{ phase0_webui_port }}:127.0.0.1:{{ phase0_webui_port }}"))
        // Sign-up closes after the first account, at every start of the container.
        #expect(v.dockerArgv.contains("--env=ENABLE_SIGNUP=False") && text.contains(YAML.quoted("--env=ENABLE_SIGNUP=False")))
        #expect(text.contains("phase0_webui_port: \"3100\""))
    }

    @Test func step2LooksOnlyAtTheAgentsTmuxSocketAndStopsNoTmux() throws {
        let text = try Self.playbook()
        #expect(text.contains("phase0_tmux_socket: \"agent\""))
        let tasks = Self.tasks(text)
        let argvs = tasks.flatMap { task in
            task.body.split(separator: "\n").filter { $0.contains("argv:") && $0.contains("\"{{ phase0_tmux }}\"") }
        }
        #expect(!argvs.isEmpty, "Step 2 asks tmux")
        for argv in argvs {
            #expect(argv.contains("\"{{ phase0_tmux }}\", -L, \"{{ phase0_tmux_socket }}\""), "tmux on the default socket: \(argv)")
        }
        let commands = tasks.flatMap { $0.body.split(separator: "\n").filter { $0.contains("argv:") } }
        #expect(!commands.contains { $0.contains("kill-server") || $0.contains("kill-session") }, "the playbook stops no tmux")
        let handRun = try Self.index(tasks, "the hand-run server check") { $0.name.contains("no tmux server started by hand") }
        #expect(tasks[handRun].body.contains("tmux -L {{ phase0_tmux_socket }} kill-server"))
        let cannotTell = try Self.index(tasks, "what tmux could not say") {
            $0.body.contains("ansible.builtin.assert:") && $0.body.contains("no server running")
        }
        let install = try Self.index(tasks, "install the unit") { $0.name.hasPrefix("Step 2 | install the unit") }
        #expect(cannotTell < install && handRun < install)
    }

    @Test func swappinessWinsAtBootAndPhase0sOldDropInIsRetired() throws {
        let text = try Self.playbook()
        #expect(text.contains("phase0_sysctl_dropin: \"/etc/sysctl.d/99-zz-phase0-swappiness.conf\""))
        #expect(text.contains("phase0_sysctl_old_dropin: \"/etc/sysctl.d/99-phase0-swappiness.conf\""))
        for directory in ["/etc/sysctl.d", "/run/sysctl.d", "/usr/lib/sysctl.d"] {
            #expect(text.contains("    - \"\(directory)\""), "phase0_sysctl_dirs lacks \(directory)")
        }
        let tasks = Self.tasks(text)
        let retire = try Self.index(tasks, "retire the old drop-in") {
            $0.body.contains("argv: [mv, --no-clobber, \"{{ phase0_sysctl_old_dropin }}\"")
        }
        #expect(tasks[retire].body.contains("startswith(phase0_marker)"), "only phase0's own old drop-in is moved aside")
        let find = try Self.index(tasks, "list sysctl.d") {
            $0.body.contains("ansible.builtin.find:") && $0.body.contains("loop: \"{{ phase0_sysctl_dirs }}\"")
        }
        let later = try Self.index(tasks, "read the later files") {
            $0.body.contains("ansible.builtin.slurp:") && $0.body.contains("item | basename > phase0_sysctl_dropin_name")
        }
        let conflict = try Self.index(tasks, "refuse a later vm.swappiness") {
            $0.body.contains("ansible.builtin.assert:") && $0.body.contains("vm[./]swappiness")
        }
        #expect(find < later && later < conflict)
        #expect(tasks[conflict].body.contains("Nothing was changed"))
    }

    /// A refusal must leave the machine as it was: every Step 0 check (but the final one) runs
    /// before Step 0's first change, and the 64G rule counts an existing swapfile at its size.
    @Test func everyStep0RefusalComesBeforeItsFirstChange() throws {
        let tasks = Self.tasks(try Self.playbook())
        let changing = ["ansible.builtin.file:", "ansible.builtin.copy:", "ansible.builtin.replace:", "ansible.builtin.lineinfile:"]
        let firstChange = try Self.index(tasks, "Step 0's first change") { task in
            task.name.hasPrefix("Step 0 |") && (task.body.contains("changed_when: true") || changing.contains { task.body.contains($0) })
        }
        let checks = tasks.indices.filter {
            tasks[$0].name.hasPrefix("Step 0 |") && tasks[$0].body.contains("ansible.builtin.assert:")
                && !tasks[$0].name.contains("after the swap tasks")
        }
        #expect(checks.count >= 6)
        for check in checks { #expect(check < firstChange, "\(tasks[check].name) comes after \(tasks[firstChange].name)") }
        let gate = try Self.index(tasks, "the 64G rule before") { $0.name.contains("the 64G rule, before the swap tasks") }
        let stat = try Self.index(tasks, "look at the swapfile") { $0.name == "Step 0 | look at the swapfile" }
        #expect(stat < gate && tasks[gate].body.contains("phase0_swapfile_stat.stat.size"), "an existing swapfile counts at its size")
    }
}
