import Phase0Core
import Phase0Parsers
import Phase0Templates

/// Step 0: expand swap. The guide's "CRITICAL: Memory Situation", done idempotently, never on a
/// file phase0 did not make (Step0Swapfile.swift), with a swappiness that the next boot applies
/// (Step0Swappiness.swift), and a gate that counts the swap a reboot brings back (SwapGate).
enum SwapStep {
    static let supportedFilesystems = ["ext4", "xfs", "btrfs"]
    /// Room left on the filesystem after the swapfile, so the system does not fill its disk.
    static let freeSpaceMarginBytes = 4 * ByteSize.giB

    static func make() -> Step {
        Step(
            number: 0,
            title: "Expand swap (required)",
            why: """
                Why: the 229B model uses ~121 of 121 GB RAM, leaving ~230 MB free, and the default 16 GB swap
                is already partly used. Docker + Open WebUI (~500 MB-1 GB) would trigger the OOM killer and
                crash the model. A 128G swapfile gives headroom; swappiness 10 keeps the model in RAM and
                swaps only under pressure. Nothing past this step runs with less than 64G of swap, now and
                after a reboot. The old /swap.img stays active (swapoff would force its pages back into
                230 MB of free RAM); it is only retired from /etc/fstab, so it goes away at the next reboot.
                """,
            manual: """
                free -h && swapon --show
                sudo fallocate -l 128G /swapfile
                sudo chmod 600 /swapfile
                sudo mkswap /swapfile
                sudo swapon /swapfile
                sudo sysctl vm.swappiness=10
                sudo cp /etc/fstab /etc/fstab.backup
                sudo sed -i 's|^.*swap\\.img|#&|' /etc/fstab
                echo '/swapfile none swap sw 0 0' | sudo tee -a /etc/fstab
                echo 'vm.swappiness=10' | sudo tee -a /etc/sysctl.conf
                free -h && swapon --show && cat /proc/sys/vm/swappiness
                (Never run `sudo swapoff /swap.img` while the model is loaded.)
                """,
            questions: [
                Question(
                    .swapfile, prompt: "Swapfile path", help: "Where the new swapfile goes; the guide uses /swapfile.",
                    completion: .paths),
                Question(
                    .swapSize, prompt: "Swapfile size", help: "Binary units, as fallocate: 128G is the guide's size.",
                    onThisMachine: sizeRefusal),
                Question(.swappiness, prompt: "vm.swappiness", help: "0-100; the guide uses 10 (swap only under pressure)."),
            ],
            report: report,
            actions: [
                SwapfileActions.allocate, SwapfileActions.permissions, SwapfileActions.format, SwapfileActions.enable,
                SwappinessActions.now, SwappinessActions.persisted, SwappinessActions.oldDropIn,
                SwappinessActions.atBoot, fstab,
            ],
            verify: verify,
            opens: SwapGate.gate
        )
    }

    /// Why a well-formed size (normalized: "128G") cannot pass the 64G gate with the other swap,
    /// now and after a reboot (the swapfile goes into /etc/fstab; /swap.img leaves it); nil when
    /// it can.
    static func sizeRefusal(_ value: String, _ ctx: StepContext) -> String? {
        guard case .success(let bytes) = ByteSize.parse(value) else { return "\(value) is not a size" }
        let swapfile = ctx.answerOrDefault(.swapfile) ?? ""
        let figures = SwapGate.figures(ctx.host, swapfile: swapfile)
        if let problem = figures.problem {
            return "the swap already there cannot be read, so no size can be checked against the 64G gate: \(problem)"
        }
        let newKiB = bytes / 1024 - 4
        let others = figures.nowAreas.filter { $0.path != swapfile }.map(\.sizeKiB)
        let otherBoot = figures.bootAreas.filter { $0.device != swapfile }.compactMap(\.sizeKiB)
        let now = SwapGate.evaluate(sizesKiB: others + [newKiB])
        let after = SwapGate.evaluate(sizesKiB: otherBoot + [newKiB])
        if !now.passes {
            let total = others.reduce(0, +) + bytes / 1024
            return
                "with \(ByteSize.human(kiB: total - bytes / 1024)) of other swap, \(value) leaves \(ByteSize.human(kiB: total)) in all, under the 64G gate"
        }
        if !after.passes {
            let needed =
                SwapGate.requiredKiB - SwapGate.headerAllowanceKiB * Int64(otherBoot.count + 1) - otherBoot.reduce(0, +) + 4
            return
                "\(value) reaches 64G only until the next reboot: \(SwapGate.retired.joined(separator: ", ")) is retired from /etc/fstab then, leaving \(ByteSize.human(kiB: after.totalKiB)) after a reboot, under the 64G gate. The smallest size that passes now and after a reboot is \(SwapGate.wholeGiB(kiB: needed))"
        }
        return nil
    }

    static func settings(_ ctx: StepContext) throws -> (path: String, size: String, bytes: Int64) {
        let path = try ctx.answer(.swapfile)
        let size = try ctx.answer(.swapSize)
        guard case .success(let bytes) = ByteSize.parse(size) else { throw ValidationFailure("swapSize \"\(size)\" is not a size") }
        return (path, size, bytes)
    }

    static func isActive(_ path: String, _ ctx: StepContext) throws -> Bool { try ctx.swapAreas().contains { $0.path == path } }

    /// Whether the file carries a swap signature (mkswap ran), read with blkid as root; blkid
    /// exits 2 when it finds no signature at all.
    static func swapSignature(_ path: String, _ ctx: StepContext) -> Lookup<Bool> {
        ctx.host.probe(.rootProbe(["blkid", "-p", "-o", "value", "-s", "TYPE", path]), absentWhen: { $0.exitStatus == 2 })
            .map { $0.trimmingWhitespace() == "swap" }
    }

    static func directory(of path: String) -> String {
        let parent = path.split(separator: "/").dropLast().joined(separator: "/")
        return "/" + parent
    }

    static func report(_ ctx: StepContext) -> [String] {
        var lines: [String] = []
        if let mem = try? ctx.memInfo() {  // shown when readable; the gate reads /proc/swaps itself
            lines.append(
                "Memory: MemAvailable \(ByteSize.human(kiB: mem.memAvailableKiB)) of \(ByteSize.human(kiB: mem.memTotalKiB)); "
                    + "swap \(ByteSize.human(kiB: mem.swapTotalKiB)) total, \(ByteSize.human(kiB: mem.swapFreeKiB)) free (/proc/meminfo)")
        }
        let figures = SwapGate.figures(ctx.host, swapfile: ctx.answerIfGiven(.swapfile))
        if let problem = figures.problem { lines.append("Swap: \(problem)") }
        lines.append("Swap areas (/proc/swaps):" + (figures.nowAreas.isEmpty ? " none" : ""))
        for area in figures.nowAreas {
            lines.append(
                "  \(area.path)  \(area.type)  size \(ByteSize.human(kiB: area.sizeKiB))  used \(ByteSize.human(kiB: area.usedKiB))  prio \(area.priority)"
            )
        }
        lines.append(
            "Swap gate: \(SwapGate.size(kiB: figures.now.totalKiB)) of the required 64G " + (figures.now.passes ? "(passes)" : "(not yet)")
                + "; after a reboot \(SwapGate.size(kiB: figures.afterReboot.totalKiB)) "
                + (figures.afterReboot.passes ? "(passes)" : "(not yet)"))
        if let path = ctx.answerIfGiven(.swapfile), let fs = ctx.filesystem(of: directory(of: path)) {
            lines.append("\(path) goes on \(fs.type) with \(ByteSize.human(bytes: fs.availBytes)) free")
        }
        return lines
    }

    static func currentSwappiness(_ ctx: StepContext) -> String {
        ctx.host.lookupFile("/proc/sys/vm/swappiness").describe(absent: "missing") { $0.trimmingWhitespace() }
    }

    // MARK: - fstab

    static func editedFstab(_ ctx: StepContext) throws -> Fstab.Edit {
        guard let current = try ctx.currentContent(of: "/etc/fstab") else { throw ValidationFailure("/etc/fstab does not exist") }
        return Fstab.ensureSwapfile(in: current, swapfile: try settings(ctx).path, retire: SwapGate.retired)
    }

    static var fstab: Action {
        Action(
            id: "fstab",
            title: "Keep the swapfile after reboot (/etc/fstab)",
            why:
                "Backs up /etc/fstab, comments out /swap.img (retired at the next reboot) and keeps exactly one swapfile line, however often this runs.",
            kind: .commands { ctx in
                AtomicWrite.commands(path: "/etc/fstab", content: try editedFstab(ctx).text, mode: "0644", host: ctx.host)
            },
            check: { ctx in
                let edit = try editedFstab(ctx)
                return Check(
                    edit.changes.isEmpty, "/etc/fstab",
                    edit.changes.isEmpty ? "one swapfile line, /swap.img retired" : edit.changes.joined(separator: "; "))
            },
            plannedFile: { ctx in
                PlannedFile(path: "/etc/fstab", newContent: try editedFstab(ctx).text, oldContent: try ctx.currentContent(of: "/etc/fstab"))
            }
        )
    }

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        let path = try settings(ctx).path
        var checks: [Check] = []
        checks.append(try SwapfileActions.enable.check(ctx))
        checks.append(try SwappinessActions.now.check(ctx))
        checks.append(try SwappinessActions.persisted.check(ctx))
        checks.append(try SwappinessActions.atBoot.check(ctx))
        let fstabText = try ctx.currentContent(of: "/etc/fstab") ?? ""
        let active = Fstab.activeSwapDevices(in: fstabText)
        let swapfileLines = active.filter { $0 == path }.count
        checks.append(
            Check(
                swapfileLines == 1 && !active.contains("/swap.img"), "fstab",
                "\(swapfileLines) \(path) line\(swapfileLines == 1 ? "" : "s"); /swap.img \(active.contains("/swap.img") ? "still active" : "retired")"
            ))
        let parses = ctx.host.probe(["findmnt", "--verify"], timeout: 30)
        checks.append(Check(parses.value != nil, "findmnt --verify", parses.describe(absent: "") { _ in "fstab parses" }))
        let figures = SwapGate.figures(ctx.host, swapfile: path)
        checks.append(Check(figures.now.passes, "swap gate now", "\(ByteSize.human(kiB: figures.now.totalKiB)) of 64G"))
        checks.append(
            Check(
                figures.afterReboot.passes, "swap gate after a reboot",
                "\(ByteSize.human(kiB: figures.afterReboot.totalKiB)) of 64G from /etc/fstab"))
        return checks
    }
}
