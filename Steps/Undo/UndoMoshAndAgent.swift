import Phase0Core
import Phase0Parsers

/// Undo of Step 1: mosh removed and the ufw rule deleted, each only if phase0 did it.
enum UndoMosh {
    static func make() -> Step {
        UndoProcedure.make(
            1, title: "Install mosh",
            why: """
                Why: this removes mosh (purged) and mosh's ufw rule, each only if phase0 installed or added it. Packages apt
                installed along with mosh stay (`apt-get autoremove` lists them; phase0 does not remove packages it
                did not name).
                """,
            manual: """
                sudo apt-get purge -y mosh
                sudo ufw delete allow \(MoshStep.udpRule)
                """, actions: [removeMosh, deleteRule],
            report: { ctx in
                [UndoProcedure.leaves(1, "install-mosh", "mosh", ctx)].compactMap { $0 }
            })
    }

    static var removeMosh: Action {
        Action(
            id: "remove-mosh",
            title: "Remove mosh (apt-get purge)",
            why:
                "phase0 installed mosh; purging it (with the configuration files its package installed) leaves the machine's packages as they were, its dependencies aside.",
            kind: .commands { _ in [.privileged(["apt-get", "purge", "-y", "mosh"], timeout: 900, streamsOutput: true)] },
            check: { ctx in
                let version = Probe.moshVersion(ctx.host)
                return Check(version == nil, "mosh removed", version.map { "installed (\($0))" } ?? "not installed")
            },
            applies: { ctx in UndoProcedure.phase0Ran(1, "install-mosh", ctx) }
        )
    }

    /// Rules ufw holds, active or not (`ufw status` lists none while ufw is inactive); unknown
    /// when `sudo -n ufw show added` cannot be asked.
    static func addedRules(_ host: Host) -> Lookup<[String]> {
        guard host.hasProgram("ufw") else { return .found([]) }
        return host.probe(.rootProbe(["ufw", "show", "added"])).map { output in
            output.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ")
                return words.count >= 3 && words[0] == "ufw" && words[1] == "allow" ? String(words[2]) : nil
            }
        }
    }

    static var deleteRule: Action {
        Action(
            id: "delete-ufw-rule",
            title: "Delete mosh's ufw rule (\(MoshStep.udpRule))",
            why: "phase0 added the rule for mosh; without mosh nothing listens on those UDP ports.",
            kind: .commands { _ in [.privileged(["ufw", "delete", "allow", MoshStep.udpRule])] },
            check: { ctx in
                let label = "ufw rule deleted"
                guard let rules = addedRules(ctx.host).value else { return Check(false, label, "cannot tell which rules ufw holds") }
                let there = rules.contains(MoshStep.udpRule)
                return Check(!there, label, there ? "ufw allows \(MoshStep.udpRule)" : "no rule for \(MoshStep.udpRule)")
            },
            applies: { ctx in UndoProcedure.phase0Ran(1, "ufw-mosh", ctx) },
            refuse: { ctx in UndoProcedure.unseen(addedRules(ctx.host), "which rules ufw holds") }
        )
    }
}

/// Undo of Step 2: the unit stopped (which ends its tmux session and tui.py), disabled, its
/// file set aside, and systemd reloaded. Only a unit file phase0 wrote (its first line says
/// so) is touched; one changed since is left, and said so.
enum UndoAgent {
    static func make() -> Step {
        UndoProcedure.make(
            2, title: "Run the agent under systemd, in tmux",
            why: """
                Why: this stops the agent's unit (its tmux session and tui.py end), disables it, sets its file aside
                as a .phase0-backup.N file and has systemd forget it. The agent can then be run by hand again.
                """,
            manual: """
                sudo systemctl stop vybn-agent.service
                sudo systemctl disable vybn-agent.service
                sudo mv /etc/systemd/system/vybn-agent.service /etc/systemd/system/vybn-agent.service.phase0-backup.N
                sudo systemctl daemon-reload
                """, actions: [stop, disable, setAside, reload], report: report)
    }

    static func unit(_ ctx: StepContext) throws -> (name: String, path: String) {
        let name = try UndoProcedure.saved(.unitName, ctx)
        return (name, "/etc/systemd/system/\(name)")
    }

    /// phase0 wrote the unit file, and it is still phase0's (or already set aside).
    static func owned(_ ctx: StepContext) -> Bool {
        guard UndoProcedure.phase0Ran(2, "unit-file", ctx), let path = try? unit(ctx).path else { return false }
        return !ctx.host.fileExists(path) || SetAside.isPhase0s(path, ctx.host)
    }

    static func report(_ ctx: StepContext) -> [String] {
        guard UndoProcedure.phase0Ran(2, "unit-file", ctx), !owned(ctx), let path = try? unit(ctx).path else { return [] }
        return ["Leaves \(path): it was changed after phase0 wrote it (its first line is not phase0's), so it is not phase0's any more."]
    }

    /// A check of a systemd state: `done` for the states undo wants; no unit file is done too;
    /// a state systemd could not be asked for is not (and the action refuses, UndoProcedure.unseen).
    static func stateCheck(_ state: Lookup<String>, _ label: String, done: (String) -> Bool) -> Check {
        switch state {
        case .found(let word): return Check(done(word), label, word)
        case .absent: return Check(true, label, "no unit file")
        case .unknown(let why): return Check(false, label, "cannot tell (\(why))")
        }
    }

    static var stop: Action {
        Action(
            id: "stop",
            title: "Stop the agent's unit (its tmux session and tui.py end)",
            why: "The unit runs tui.py in tmux; stopping it runs its ExecStop (tmux kill-session). Detach and save your work first.",
            kind: .commands { ctx in [.privileged(["systemctl", "stop", try unit(ctx).name], timeout: 120)] },
            check: { ctx in
                let name = try unit(ctx).name
                return stateCheck(Probe.unitActive(ctx.host, name), "\(name) stopped") { $0 != "active" && $0 != "activating" }
            },
            applies: owned,
            refuse: { ctx in
                (try? unit(ctx).name).flatMap { UndoProcedure.unseen(Probe.unitActive(ctx.host, $0), "whether \($0) is active") }
            }
        )
    }

    static var disable: Action {
        Action(
            id: "disable",
            title: "Disable the unit at boot",
            why: "Removes the multi-user.target link phase0's enable made, so nothing starts it at boot.",
            kind: .commands { ctx in [.privileged(["systemctl", "disable", try unit(ctx).name])] },
            check: { ctx in
                let name = try unit(ctx).name
                return stateCheck(Probe.unitEnabled(ctx.host, name), "\(name) not enabled") { $0 != "enabled" }
            },
            applies: owned,
            refuse: { ctx in
                (try? unit(ctx).name).flatMap { UndoProcedure.unseen(Probe.unitEnabled(ctx.host, $0), "whether \($0) is enabled") }
            }
        )
    }

    static var setAside: Action {
        Action(
            id: "set-aside-unit",
            title: "Set the unit file aside (.phase0-backup.N)",
            why: "systemd reads no file of that name, so the unit is gone once systemd reloads; the file stays as a backup.",
            kind: .commands { ctx in SetAside.commands(try unit(ctx).path, ctx.host) },
            check: { ctx in
                let path = try unit(ctx).path
                let there = ctx.host.fileExists(path)
                return Check(!there, "\(path) set aside", there ? "phase0's unit file is there" : "not there")
            },
            applies: owned
        )
    }

    static var reload: Action {
        Action(
            id: "daemon-reload",
            title: "Have systemd forget the unit (daemon-reload)",
            why: "systemd keeps the units it read until it reloads.",
            kind: .commands { _ in [.privileged(["systemctl", "daemon-reload"])] },
            check: { ctx in
                let name = try unit(ctx).name
                let state = Probe.unitProperty(ctx.host, name, "LoadState")
                return Check(state == .found("not-found"), "systemd forgot \(name)", state.describe(absent: "") { "LoadState=\($0)" })
            },
            applies: owned
        )
    }
}
