import Phase0Core
import Phase0Parsers
import Phase0Templates

/// Step 0's swappiness: now (`sysctl -w`), and at every boot. At boot systemd-sysctl applies the
/// sysctl.d files sorted by name (SysctlBoot, FACTS B): Debian and Ubuntu link
/// /etc/sysctl.d/99-sysctl.conf to /etc/sysctl.conf, so a drop-in named 99-phase0-… sorts
/// before it and a `vm.swappiness=60` in /etc/sysctl.conf wins. phase0's drop-in is named
/// 99-zz-…, which sorts after it ('z' > 's', byte-wise); a file that sorts later still and sets
/// swappiness is edited (shown as a diff, backed up). The check is the value the next boot
/// will apply, computed over this machine's files, not only /proc/sys.
enum SwappinessActions {
    static let key = "vm.swappiness"
    static let dropInPath = "/etc/sysctl.d/99-zz-phase0-swappiness.conf"
    /// Where phase0 wrote it before: sorts before 99-sysctl.conf, so /etc/sysctl.conf wins.
    static let oldDropInPath = "/etc/sysctl.d/99-phase0-swappiness.conf"
    static let writtenByPhase0 = "# Written by phase0"

    static func wanted(_ ctx: StepContext) throws -> String { try ctx.answer(.swappiness) }

    static func dropIn(_ ctx: StepContext) throws -> String {
        try EmbeddedTemplates.render("swappiness.conf", values: ["swappiness": try wanted(ctx)])
    }

    /// Every sysctl.d file systemd-sysctl would consider, in directory precedence order.
    static func bootFiles(_ host: Host, replacing path: String? = nil, with content: String? = nil) -> [SysctlBoot.File] {
        var files: [SysctlBoot.File] = []
        for directory in SysctlBoot.directories {
            for name in host.listDirectory(directory) ?? [] where name.hasSuffix(".conf") {
                let full = directory + "/" + name
                guard host.fileInfo(full)?.isDirectory != true, full != path else { continue }
                files.append(SysctlBoot.File(directory: directory, name: name, content: host.readFile(full)))
            }
        }
        if let path, let content {
            files.insert(
                SysctlBoot.File(
                    directory: SwapStep.directory(of: path), name: String(path.split(separator: "/").last ?? ""),
                    content: content), at: 0)
        }
        return files
    }

    /// Why the next boot's value cannot be computed here: a sysctl.d directory that exists but
    /// cannot be listed, or a file in one that cannot be read (it may set vm.swappiness).
    static func unreadable(_ host: Host) -> String? {
        for directory in SysctlBoot.directories where host.fileInfo(directory)?.isDirectory == true {
            guard let names = host.listDirectory(directory) else { return "\(directory) cannot be listed" }
            for name in names where name.hasSuffix(".conf") {
                if case .unknown(let why) = host.lookupFile(directory + "/" + name) { return why }
            }
        }
        return nil
    }

    /// What the next boot sets vm.swappiness to, with phase0's drop-in as it will be written.
    static func atNextBoot(_ ctx: StepContext) throws -> SysctlBoot.Setting? {
        SysctlBoot.value(of: key, in: bootFiles(ctx.host, replacing: dropInPath, with: try dropIn(ctx)))
    }

    /// Files that sort after phase0's drop-in and set vm.swappiness explicitly.
    static func laterConflicts(_ ctx: StepContext) throws -> [SysctlBoot.File] {
        let ours = String(dropInPath.split(separator: "/").last!)
        return SysctlBoot.applied(bootFiles(ctx.host, replacing: dropInPath, with: try dropIn(ctx))).filter { file in
            Array(file.name.utf8).lexicographicallyPrecedes(Array(ours.utf8)) == false && file.name != ours
                && (file.content ?? "").split(separator: "\n").contains {
                    SysctlBoot.assignment(in: String($0)).map { $0.key == SysctlBoot.normalized(key) && $0.value != nil } ?? false
                }
        }
    }

    /// A file's text with its vm.swappiness assignments commented out.
    static func withoutSwappiness(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let parsed = SysctlBoot.assignment(in: String(line)), parsed.key == SysctlBoot.normalized(key), parsed.value != nil else {
                return String(line)
            }
            return "#" + line
        }.joined(separator: "\n")
    }

    // MARK: - Actions

    static var now: Action {
        Action(
            id: "swappiness-now",
            title: "Lower swappiness now",
            why: "Keeps the model in RAM and swaps only under pressure.",
            kind: .commands { ctx in [.privileged(["sysctl", "-w", "\(key)=\(try wanted(ctx))"])] },
            check: { ctx in
                let wanted = try wanted(ctx)
                let now = SwapStep.currentSwappiness(ctx)
                return Check(now == wanted, "swappiness \(wanted)", "/proc/sys/vm/swappiness is \(now)")
            }
        )
    }

    static var persisted: Action {
        Action(
            id: "swappiness-persist",
            title: "Keep swappiness after reboot (\(dropInPath))",
            why:
                "A drop-in under /etc/sysctl.d is read at every boot; unlike appending to /etc/sysctl.conf, rewriting it is idempotent. Its name sorts after 99-sysctl.conf (the link to /etc/sysctl.conf), so it wins over a vm.swappiness there.",
            kind: .commands { ctx in AtomicWrite.commands(path: dropInPath, content: try dropIn(ctx), mode: "0644", host: ctx.host) },
            check: { ctx in
                let current = ctx.host.lookupFile(dropInPath)
                return Check(current.value == (try dropIn(ctx)), "\(dropInPath)", current.describe(absent: "missing") { _ in "present" })
            },
            plannedFile: { ctx in
                PlannedFile(path: dropInPath, newContent: try dropIn(ctx), oldContent: try ctx.currentContent(of: dropInPath))
            }
        )
    }

    static func isPhase0sOldDropIn(_ host: Host) -> Bool {
        host.readFile(oldDropInPath)?.hasPrefix(writtenByPhase0) == true
    }

    static var oldDropIn: Action {
        Action(
            id: "swappiness-old-drop-in",
            title: "Retire phase0's earlier drop-in (\(oldDropInPath))",
            why:
                "An earlier phase0 wrote the drop-in under this name, which sorts before 99-sysctl.conf, so a vm.swappiness in /etc/sysctl.conf won at boot. It is moved aside as a backup (*.phase0-backup.N, which systemd-sysctl does not read).",
            kind: .commands { ctx in
                [.privileged(["mv", "--no-clobber", oldDropInPath, AtomicWrite.backupPath(for: oldDropInPath, host: ctx.host)])]
            },
            check: { ctx in
                let there = isPhase0sOldDropIn(ctx.host)
                return Check(!there, "no earlier phase0 drop-in", there ? "\(oldDropInPath) is still there" : "")
            },
            applies: { ctx in isPhase0sOldDropIn(ctx.host) }
        )
    }

    static var atBoot: Action {
        Action(
            id: "swappiness-at-boot",
            title: "Make swappiness win at boot (edit the sysctl.d file that overrides it)",
            why:
                "systemd-sysctl applies the files in name order and the last vm.swappiness wins: a file that sorts after phase0's drop-in would undo it at every boot. Its vm.swappiness line is commented out (a file under /etc/sysctl.d is backed up first; one elsewhere is overridden by a copy of the same name in /etc/sysctl.d, which takes precedence), and the rest of it is kept.",
            kind: .commands { ctx in
                var commands: [Command] = []
                for file in try laterConflicts(ctx) {
                    let target = file.directory == "/etc/sysctl.d" ? file.path : "/etc/sysctl.d/" + file.name
                    let content = withoutSwappiness(file.content ?? "")
                    ctx.say(indent(LineDiff.render(old: file.content ?? "", new: content, path: target)))
                    commands += AtomicWrite.commands(path: target, content: content, mode: "0644", host: ctx.host)
                }
                return commands
            },
            check: { ctx in
                let wanted = try wanted(ctx)
                if let why = unreadable(ctx.host) {
                    return Check(false, "\(key) at the next boot", "cannot tell what the next boot applies (\(why))")
                }
                guard let setting = try atNextBoot(ctx) else { return Check(false, "\(key) at the next boot", "nothing sets it") }
                let detail = "\(setting.value), from \(setting.path)" + (setting.byGlob ? " (a glob)" : "")
                return Check(
                    setting.value == wanted, "\(key) at the next boot", setting.value == wanted ? detail : "\(detail), not \(wanted)")
            },
            refuse: { ctx in
                // What phase0 cannot read, it does not edit around.
                unreadable(ctx.host).map {
                    "phase0 cannot tell which vm.swappiness the next boot applies (\($0)), so it edits no sysctl file. Check with: systemd-analyze cat-config sysctl.d"
                }
            }
        )
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "     " + $0 }.joined(separator: "\n")
    }
}
