import Phase0Core
import Phase0Parsers
import Phase0Steps

/// `phase0 runbook --format sh`: the manual equivalent of what phase0 did, as a script a
/// person can read and run block by block. A teaching artefact, not a second installer: each
/// block holds exactly the commands the run recorded, guarded by the shell form of the check
/// the wizard makes first ("already done?"), so a second run of the script changes nothing.
extension Runbook {
    public static let heredocEnd = "PHASE0_EOF"

    public func script() -> String {
        var text = "#!/usr/bin/env bash\n"
        text +=
            "# Phase 0 on \(hostName): the manual equivalent of what phase0 did (\(progress.mode == .practice ? "a practice run" : "a live run")),\n"
        text += "# written by `phase0 runbook --format sh` from \(statePath). A teaching artefact: read each block,\n"
        text += "# then run the script step by step if you want to do it by hand. Each block runs only when\n"
        text += "# the check phase0 makes first says it is not done yet.\n"
        text += "set -euo pipefail\n"
        for step in steps {
            guard let record = progress.step(step.number) else { continue }
            text += "\n# == Step \(step.number): \(step.title) (\(record.status.rawValue)) ==\n"
            text += Self.comment(step.why)
            if record.status == .skipped {
                text += "# Skipped: \(Self.inline(record.note ?? "by the operator"))\n"
                continue
            }
            for action in step.actions {
                guard let done = record.action(action.id) else { continue }
                text += block(action, done)
            }
        }
        return text
    }

    func block(_ action: Action, _ record: ActionRecord) -> String {
        var text = "\n# \(Self.inline(action.title))\n"
        let ran = (record.commands ?? []).filter { $0.changes && $0.exitStatus == 0 }
        switch action.kind {
        case .observation(let question, _):
            return text
                + "# You check this yourself: \(Self.inline(question))\n# phase0 recorded: \(Self.inline(record.note ?? record.status?.rawValue ?? ""))\n"
        case .operatorTask(let instruction):
            _ = instruction
            return text + "# Done by a person (phase0 waited, then checked): \(record.status?.rawValue ?? "")\n"
        case .commands: break
        }
        guard !ran.isEmpty else {
            return text + "# Nothing to run: \(Self.inline(record.note ?? record.status?.rawValue ?? "already in place"))\n"
        }
        let lines = ran.flatMap(Self.commandLines)
        guard let check = RunbookGuards.check(action.id, answers: progress.answers, written: Self.writtenFiles(ran)) else {
            return text + "# A test, run every time (phase0 judges it by its result):\n" + lines.map { $0.text + "\n" }.joined()
        }
        text += "if \(check.condition); then\n" + (check.heredoc.map { $0 + "\(Self.heredocEnd)\n" } ?? "")
        text += "  echo 'already done: \(Self.inline(action.title).replacing("'", with: ""))'\nelse\n"
        // Heredoc lines stay at column 0: indenting them would change the file and the end marker.
        text += lines.map { ($0.indentable ? "  " : "") + $0.text + "\n" }.joined()
        return text + "fi\n"
    }

    /// A recorded command as shell lines; its stdin (a file's new content) as a quoted heredoc.
    static func commandLines(_ record: CommandRecord) -> [(text: String, indentable: Bool)] {
        let line = record.argv.map(shellQuote).joined(separator: " ")
        guard let input = record.input else { return [(line, true)] }
        let body = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return [(line + " <<'\(heredocEnd)'", true)] + (input.hasSuffix("\n") ? body.dropLast() : body[...]).map { ($0, false) }
            + [(heredocEnd, false)]
    }

    static func comment(_ text: String) -> String {
        wrapped(inline(text), indent: "# ", width: 100) + "\n"
    }
}

/// The wizard's "already done?" checks as shell conditions, filled in with the run's answers:
/// true (exit 0) when the effect is already in place. Keyed by Steps' action ids; a test
/// checks that every action of the procedure has one or is a test, an observation or a
/// person's task.
public enum RunbookGuards {
    /// Actions that are tests (run every time), not effects to check first.
    public static let tests: Set<String> = ["unplug-4-docker"]

    /// The condition, and the text its heredoc feeds it (ended by Runbook.heredocEnd).
    struct Guard {
        var condition: String
        var heredoc: String?
    }

    static func check(_ id: String, answers: [String: String], written: [Runbook.WrittenFile]) -> Guard? {
        func value(_ key: String) -> String { shellQuote(AnswerKey(rawValue: key)?.value(in: answers) ?? "") }
        let swapfile = value("swapfile")
        let unit = value("unitName")
        let user = value("user")
        // The agent's tmux server has its own socket, named like the session (tmux -L NAME).
        let session = value("tmuxSession")
        let container = value("webuiContainer")
        let port = AnswerKey.webuiPort.value(in: answers) ?? ""
        if let file = written.first {
            // A file phase0 writes: done when it already holds exactly this content.
            let content = file.content.hasSuffix("\n") || file.content.isEmpty ? file.content : file.content + "\n"
            return Guard(
                condition: "[ -f \(shellQuote(file.path)) ] && cmp -s \(shellQuote(file.path)) - <<'\(Runbook.heredocEnd)'",
                heredoc: content)
        }
        let condition: String
        switch id {
        case "allocate": condition = "[ -e \(swapfile) ]"
        case "permissions": condition = "[ \"$(stat -c %a \(swapfile))\" = 600 ]"
        case "mkswap": condition = "[ \"$(sudo blkid -p -o value -s TYPE \(swapfile) || true)\" = swap ]"
        case "swapon": condition = "awk -v f=\(swapfile) '$1 == f { found = 1 } END { exit !found }' /proc/swaps"
        case "swappiness-now": condition = "[ \"$(cat /proc/sys/vm/swappiness)\" = \(value("swappiness")) ]"
        case "install-mosh": condition = "command -v mosh-server >/dev/null"
        case "ufw-mosh": condition = "! sudo ufw status | grep -q '^Status: active' || sudo ufw status | grep -q '60000:61000/udp'"
        case "daemon-reload": condition = "[ \"$(systemctl show -p NeedDaemonReload --value \(unit))\" = no ]"
        case "enable": condition = "systemctl is-enabled --quiet \(unit)"
        case "swappiness-old-drop-in":
            condition = "! grep -qs '^# Written by phase0' /etc/sysctl.d/99-phase0-swappiness.conf"
        case "swappiness-at-boot":
            // The files in the order the next boot applies them: the last assignment wins.
            condition =
                "systemd-analyze cat-config sysctl.d | grep -E '^[[:space:]]*vm[./]swappiness[[:space:]]*=' | tail -n 1 | grep -Eq '=[[:space:]]*\(value("swappiness"))[[:space:]]*$'"
        case "other-agent":
            // No tui.py or web_serve.py outside the unit's cgroup.
            condition =
                "! pgrep -f '(tui|web_serve)[.]py' | while read -r pid; do grep -qF \(shellQuote("/" + (AnswerKey.unitName.value(in: answers) ?? ""))) \"/proc/$pid/cgroup\" || echo \"$pid\"; done | grep -q ."
        case "hand-run-tmux": condition = "! sudo -u \(user) tmux -L \(session) ls >/dev/null 2>&1 || systemctl is-active --quiet \(unit)"
        case "start":
            condition = "systemctl is-active --quiet \(unit) && sudo -u \(user) tmux -L \(session) has-session -t =\(value("tmuxSession"))"
        case "docker-daemon": condition = "sudo docker info >/dev/null 2>&1"
        case "docker-at-boot": condition = "systemctl is-enabled --quiet docker.service"
        case "pull-image": condition = "sudo docker image inspect \(value("webuiImage")) >/dev/null 2>&1"
        case "replace-container": condition = "! sudo docker inspect \(container) >/dev/null 2>&1"
        case "run-container": condition = "[ \"$(sudo docker inspect -f '{{.State.Running}}' \(container) 2>/dev/null)\" = true ]"
        case "health": condition = "curl -fsS --max-time 5 http://127.0.0.1:\(port)/health >/dev/null"
        case "tailscale-connected": condition = "tailscale status >/dev/null 2>&1"
        case "serve": condition = "tailscale serve status 2>/dev/null | grep -q 'proxy http://127.0.0.1:\(port)'"
        case "unplug-4-baseline": condition = "sudo docker inspect \(container) >/dev/null 2>&1"
        default: return nil
        }
        return Guard(condition: condition, heredoc: nil)
    }

    /// The action ids that have a shell check (file-writing actions get theirs from the file).
    public static func hasCheck(_ id: String) -> Bool { check(id, answers: [:], written: []) != nil }
}
