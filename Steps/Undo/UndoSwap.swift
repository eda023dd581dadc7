import Phase0Core
import Phase0Parsers

/// Undo of Step 0: /etc/fstab back as it was, the sysctl drop-in set aside, and the swapfile
/// removed once nothing uses it. Never `swapoff`: with ~230 MB free under the model, forcing
/// the swapfile's pages back into RAM risks the OOM killer. A swapfile still in use stays
/// active until the next reboot (fstab no longer names it), and `phase0 undo 0` run after
/// that reboot removes the file.
enum UndoSwap {
    static func make() -> Step {
        UndoProcedure.make(
            0, title: "Expand swap",
            why: """
                Why: this puts /etc/fstab back as it was before phase0 (the swapfile line gone, /swap.img used again
                from the next boot), sets phase0's sysctl drop-in aside, and removes the swapfile phase0 made once
                nothing uses it. phase0 never runs swapoff: the swapfile stays active until the next reboot.
                """,
            manual: """
                sudo cp /etc/fstab.phase0-backup.1 /etc/fstab      # the fstab from before phase0 (check it first)
                sudo findmnt --verify
                sudo mv /etc/sysctl.d/99-phase0-swappiness.conf /etc/sysctl.d/99-phase0-swappiness.conf.phase0-backup.N
                # after the next reboot, when /swapfile is no longer in /proc/swaps:
                sudo rm /swapfile
                """, actions: [restoreFstab, dropIn, swapfile], report: report)
    }

    static func swapfilePath(_ ctx: StepContext) throws -> String {
        try UndoProcedure.saved(.swapfile, ctx)
    }

    /// What Step 0's record should say while the swapfile waits for a reboot; nil once it is gone.
    /// When /proc/swaps cannot be read, the file is taken as still in use (it is never removed then).
    static func swapfileStillThere(_ ctx: StepContext) -> String? {
        guard UndoProcedure.phase0Ran(0, "allocate", ctx), let path = try? swapfilePath(ctx), ctx.host.fileExists(path) else { return nil }
        return (try? SwapStep.isActive(path, ctx)) ?? true
            ? "\(path) stays active until the next reboot (phase0 never runs swapoff); run `phase0 undo 0` after it to remove the file"
            : "\(path) is still there; run `phase0 undo 0` to remove it"
    }

    static func report(_ ctx: StepContext) -> [String] {
        var lines: [String] = []
        if let line = UndoProcedure.leaves(0, "allocate", "the swapfile", ctx) { lines.append(line) }
        if let line = UndoProcedure.leaves(0, "fstab", "/etc/fstab as it is", ctx) { lines.append(line) }
        if UndoProcedure.phase0Ran(0, "swappiness-now", ctx) {
            let now = SwapStep.currentSwappiness(ctx)
            lines.append("vm.swappiness stays \(now) until the next reboot; then /etc/sysctl.conf or the kernel's default applies.")
        }
        if let note = swapfileStillThere(ctx) { lines.append(note.prefix(1).uppercased() + note.dropFirst() + ".") }
        return lines
    }

    // MARK: - /etc/fstab

    static func backups(_ ctx: StepContext) -> [String] {
        let count = AtomicWrite.firstFreeBackup(for: "/etc/fstab", host: ctx.host) - 1
        return stride(from: count, through: 1, by: -1).compactMap { ctx.host.readFile("/etc/fstab.phase0-backup.\($0)") }
    }

    /// /etc/fstab without phase0's edit: the backup phase0's edit turns into exactly what is
    /// there now (newest first); when none does (the file was changed since), phase0's edit
    /// reversed field by field: its swapfile line removed, the `#/swap.img` it commented restored.
    static func reverted(_ ctx: StepContext) throws -> (text: String, how: String) {
        let path = try swapfilePath(ctx)
        guard let current = ctx.host.readFile("/etc/fstab") else { throw ValidationFailure("/etc/fstab cannot be read") }
        // A backup that phase0's edit leaves as it is was taken after that edit (by undo itself,
        // or by a second run): it is not the fstab from before phase0.
        for backup in backups(ctx) {
            let edited = Fstab.ensureSwapfile(in: backup, swapfile: path).text
            guard edited != backup else { continue }
            if edited == current { return (backup, "the backup phase0 took before its edit") }
            if backup == current { return (current, "it is already as before phase0's edit") }
        }
        guard Fstab.activeSwapDevices(in: current).contains(path) else { return (current, "it holds no swapfile line") }
        var lines = current.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { Fstab.device(of: $0[...]).map(String.init) == path }
        for index in lines.indices where lines[index].hasPrefix("#") && Fstab.device(of: lines[index].dropFirst()) == "/swap.img" {
            lines[index].removeFirst()
        }
        return (lines.joined(separator: "\n"), "phase0's edit reversed by field (/etc/fstab changed since phase0 edited it)")
    }

    static let temporaryFstab = "/etc/fstab.phase0-new"

    static var restoreFstab: Action {
        Action(
            id: "restore-fstab",
            title: "Put /etc/fstab back as it was before phase0",
            why:
                "Without phase0's swapfile line the swapfile is not used after the next reboot, and /swap.img is used again. The new fstab is checked with findmnt --verify before it replaces the old one, which is backed up first.",
            kind: .commands { ctx in
                let (text, how) = try reverted(ctx)
                ctx.say("     From \(how).")
                var commands: [Command] = []
                if !AtomicWrite.isBackedUp("/etc/fstab", host: ctx.host) {
                    commands.append(
                        .privileged(["cp", "-p", "--no-clobber", "/etc/fstab", AtomicWrite.backupPath(for: "/etc/fstab", host: ctx.host)]))
                }
                commands.append(.privileged(["install", "-m", "0644", "/dev/stdin", temporaryFstab], input: text))
                commands.append(Command(["findmnt", "--verify", "--tab-file", temporaryFstab], timeout: 30))
                commands.append(.privileged(["mv", "-f", temporaryFstab, "/etc/fstab"]))
                return commands
            },
            check: { ctx in
                let current = ctx.host.readFile("/etc/fstab")
                let same = current == (try reverted(ctx).text)
                return Check(
                    same, "/etc/fstab without phase0's edit", same ? "no swapfile line of phase0's" : "holds phase0's swapfile line")
            },
            applies: { ctx in UndoProcedure.phase0Ran(0, "fstab", ctx) },
            refuse: { ctx in UndoProcedure.laterStepsStillDone(ctx) },
            plannedFile: { ctx in
                PlannedFile(path: "/etc/fstab", newContent: try reverted(ctx).text, oldContent: ctx.host.readFile("/etc/fstab"))
            }
        )
    }

    // MARK: - The sysctl drop-in

    static var dropIn: Action {
        Action(
            id: "set-aside-sysctl",
            title: "Set phase0's swappiness drop-in aside (\(SwappinessActions.dropInPath))",
            why:
                "Without it, the next boot applies /etc/sysctl.conf or the kernel's default swappiness. It is renamed to a .phase0-backup.N file, which systemd-sysctl does not read.",
            kind: .commands { ctx in SetAside.commands(SwappinessActions.dropInPath, ctx.host) },
            check: { ctx in
                let path = SwappinessActions.dropInPath
                guard ctx.host.fileExists(path) else { return Check(true, path, "not there") }
                if !SetAside.isPhase0s(path, ctx.host) { return Check(true, path, "changed since phase0 wrote it: left as it is") }
                return Check(false, path, "phase0's drop-in is there")
            },
            applies: { ctx in UndoProcedure.phase0Ran(0, "swappiness-persist", ctx) },
            refuse: { ctx in UndoProcedure.laterStepsStillDone(ctx) }
        )
    }

    // MARK: - The swapfile

    static var swapfile: Action {
        Action(
            id: "remove-swapfile",
            title: "Remove the swapfile phase0 made (once it is no longer in use)",
            why:
                "phase0 never runs swapoff with the model loaded: a swapfile in use stays until the next reboot, after which nothing names it, and `phase0 undo 0` removes the file.",
            kind: .commands { ctx in [.privileged(["rm", "-f", try swapfilePath(ctx)])] },
            check: { ctx in
                let path = try swapfilePath(ctx)
                let label = "swapfile \(path)"
                guard ctx.host.fileExists(path) else { return Check(true, label, "not there") }
                if try SwapStep.isActive(path, ctx) {
                    return Check(
                        true, label,
                        "still in use: it stays active until the next reboot (never swapoff); run `phase0 undo 0` after the reboot to remove it"
                    )
                }
                switch SwapStep.swapSignature(path, ctx) {
                case .found(true): return Check(false, label, "\(path) is there, no longer in use")
                case .found(false), .absent: return Check(true, label, "not a swap area (not the file phase0 made): left as it is")
                case .unknown(let why): return Check(false, label, "cannot tell what it holds (\(why))")
                }
            },
            applies: { ctx in UndoProcedure.phase0Ran(0, "allocate", ctx) },
            refuse: { ctx in
                if let later = UndoProcedure.laterStepsStillDone(ctx) { return later }
                guard let path = try? swapfilePath(ctx) else { return "the saved swapfile path cannot be used" }
                if case .unknown(let why) = SwapStep.swapSignature(path, ctx) {
                    return "phase0 cannot tell what \(path) holds (\(why)), so it does not remove it"
                }
                if Fstab.activeSwapDevices(in: ctx.host.readFile("/etc/fstab") ?? "").contains(path) {
                    return
                        "/etc/fstab still names \(path) (it was changed after phase0's edit); remove that line first, then run phase0 undo 0 again"
                }
                return nil
            }
        )
    }
}
