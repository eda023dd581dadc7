import Phase0Core
import Phase0Parsers
import Phase0Templates

/// Step 0: expand swap. The guide's "CRITICAL: Memory Situation", done idempotently.
enum SwapStep {
    static let supportedFilesystems = ["ext4", "xfs", "btrfs"]
    /// Room left on the filesystem after the swapfile, so the system does not fill its disk.
    static let freeSpaceMarginBytes = 4 * ByteSize.giB
    static let dropInPath = "/etc/sysctl.d/99-phase0-swappiness.conf"

    static func make() -> Step {
        Step(
            number: 0,
            title: "Expand swap (required)",
            why: """
                Why: the 229B model uses ~121 of 121 GB RAM, leaving ~230 MB free, and the default 16 GB swap
                is already partly used. Docker + Open WebUI (~500 MB-1 GB) would trigger the OOM killer and
                crash the model. A 128G swapfile gives headroom; swappiness 10 keeps the model in RAM and
                swaps only under pressure. Nothing past this step runs with less than 64G of swap.
                The old /swap.img stays active (swapoff would force its pages back into 230 MB of free RAM);
                it is only retired from /etc/fstab, so it goes away at the next reboot.
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
            actions: [allocate, permissions, format, enable, swappinessNow, swappinessPersisted, fstab],
            verify: verify,
            opens: SwapGate.gate
        )
    }

    /// A size that, with the other swap already active, can pass the 64G gate.
    /// Why a well-formed size (normalized: "128G") cannot pass the 64G gate with the other swap
    /// already active; nil when it can.
    static func sizeRefusal(_ value: String, _ ctx: StepContext) -> String? {
        guard case .success(let bytes) = ByteSize.parse(value) else { return "\(value) is not a size" }
        let swapfile = ctx.answerOrDefault(.swapfile) ?? ""
        let others: [SwapArea]
        do { others = try ctx.swapAreas().filter { $0.path != swapfile } } catch {
            return "the swap already active cannot be read, so no size can be checked against the 64G gate: \(error)"
        }
        let total = others.reduce(Int64(0)) { $0 + $1.sizeKiB } + bytes / 1024
        let verdict = SwapGate.evaluate(others + [SwapArea(path: swapfile, sizeKiB: bytes / 1024 - 4)])
        guard verdict.passes else {
            return
                "with \(ByteSize.human(kiB: total - bytes / 1024)) of other swap, \(value) leaves \(ByteSize.human(kiB: total)) in all, under the 64G gate"
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
        let areas: [SwapArea]
        do { areas = try ctx.swapAreas() } catch { return lines + ["Swap areas: \(error)"] }
        lines.append("Swap areas (/proc/swaps):" + (areas.isEmpty ? " none" : ""))
        for area in areas {
            lines.append(
                "  \(area.path)  \(area.type)  size \(ByteSize.human(kiB: area.sizeKiB))  used \(ByteSize.human(kiB: area.usedKiB))  prio \(area.priority)"
            )
        }
        let verdict = SwapGate.evaluate(areas)
        lines.append(
            "Swap gate: \(ByteSize.human(kiB: verdict.totalKiB)) of the required 64G " + (verdict.passes ? "(passes)" : "(not yet)"))
        if let path = ctx.answerIfGiven(.swapfile), let fs = ctx.filesystem(of: directory(of: path)) {
            lines.append("\(path) goes on \(fs.type) with \(ByteSize.human(bytes: fs.availBytes)) free")
        }
        return lines
    }

    // MARK: - Actions

    static var allocate: Action {
        Action(
            id: "allocate",
            title: "Allocate the swapfile",
            why: "fallocate reserves the space instantly on ext4/xfs NVMe; nothing is written to the disk.",
            kind: .commands { ctx in
                let (path, size, _) = try settings(ctx)
                let fsType = ctx.filesystem(of: directory(of: path))?.type
                if fsType == "btrfs" {
                    // btrfs swapfiles must be empty, without copy-on-write, before allocation.
                    return [
                        .privileged(["truncate", "-s", "0", path]), .privileged(["chattr", "+C", path]),
                        .privileged(["fallocate", "-l", size, path]),
                    ]
                }
                return [.privileged(["fallocate", "-l", size, path])]
            },
            check: { ctx in
                let (path, _, bytes) = try settings(ctx)
                if try isActive(path, ctx) { return Check(true, "\(path) allocated", "already active as swap") }
                guard let info = ctx.host.fileInfo(path) else { return Check(false, "\(path) allocated", "\(path) does not exist") }
                if info.size >= bytes { return Check(true, "\(path) allocated", ByteSize.human(bytes: info.size)) }
                if swapSignature(path, ctx) == .found(true) {
                    return Check(true, "\(path) allocated", "an existing swapfile of \(ByteSize.human(bytes: info.size)); kept as it is")
                }
                return Check(
                    false, "\(path) allocated", "\(path) is \(ByteSize.human(bytes: info.size)), not yet \(ByteSize.human(bytes: bytes))")
            },
            refuse: { ctx in
                let path: String
                let bytes: Int64
                do { (path, _, bytes) = try settings(ctx) } catch { return "the swapfile settings cannot be used: \(error)" }
                if let info = ctx.host.fileInfo(path), (ctx.record(of: "allocate")?.attempts ?? 0) == 0 {
                    return info.isDirectory
                        ? "\(path) is a directory; choose another swapfile path"
                        : "\(path) already exists (\(ByteSize.human(bytes: info.size))) and is not a swap area phase0 made; phase0 never overwrites an existing file. Move it aside or choose another path."
                }
                let dir = directory(of: path)
                guard let fs = ctx.filesystem(of: dir) else { return "cannot tell which filesystem holds \(dir) (findmnt failed)" }
                guard supportedFilesystems.contains(fs.type) else {
                    let why =
                        fs.type == "zfs" ? "ZFS cannot hold a swapfile" : "a swapfile on \(fs.type) is not supported by this procedure"
                    return "\(dir) is on \(fs.type): \(why). Choose a swapfile path on an ext4, xfs or btrfs filesystem."
                }
                let already = ctx.host.fileInfo(path)?.size ?? 0
                let needed = bytes - already + freeSpaceMarginBytes
                guard fs.availBytes >= needed else {
                    return
                        "\(dir) has \(ByteSize.human(bytes: fs.availBytes)) free; a \(ByteSize.human(bytes: bytes)) swapfile needs \(ByteSize.human(bytes: needed)) including a \(ByteSize.human(bytes: freeSpaceMarginBytes)) margin. Free space, choose another filesystem, or a smaller size that still reaches 64G of swap in all."
                }
                return nil
            }
        )
    }

    static var permissions: Action {
        Action(
            id: "permissions",
            title: "Make the swapfile readable by root only",
            why: "Swapped-out memory holds whatever the model and agent had in RAM; swapon refuses world-readable swap.",
            kind: .commands { ctx in [.privileged(["chmod", "600", try settings(ctx).path])] },
            check: { ctx in
                let path = try settings(ctx).path
                guard let info = ctx.host.fileInfo(path) else { return Check(false, "mode 0600", "\(path) is missing") }
                let mode = "0" + String(info.mode & 0o777, radix: 8)
                return Check(info.mode & 0o777 == 0o600, "mode 0600", "\(path) is \(mode), owner \(info.owner)")
            }
        )
    }

    static var format: Action {
        Action(
            id: "mkswap",
            title: "Write the swap signature (mkswap)",
            why: "mkswap prepares the file as a swap area. It is never run on a swap area in use.",
            kind: .commands { ctx in [.privileged(["mkswap", try settings(ctx).path])] },
            check: { ctx in
                let path = try settings(ctx).path
                if try isActive(path, ctx) { return Check(true, "swap signature", "active") }
                let signature = swapSignature(path, ctx)
                return Check(
                    signature == .found(true), "swap signature",
                    signature.describe(absent: "blkid sees no swap signature") { $0 ? "blkid sees swap" : "blkid sees another signature" })
            },
            refuse: { ctx in
                // mkswap is never run on a file whose signature phase0 cannot read.
                guard let path = try? settings(ctx).path, case .unknown(let why) = swapSignature(path, ctx) else { return nil }
                return "phase0 cannot tell what \(path) holds (\(why)), so it does not run mkswap on it"
            }
        )
    }

    static var enable: Action {
        Action(
            id: "swapon",
            title: "Turn the swapfile on (swapon)",
            why: "Adds the new swap now, while the model stays loaded. The old /swap.img stays on: never swapoff it with the model loaded.",
            kind: .commands { ctx in [.privileged(["swapon", try settings(ctx).path])] },
            check: { ctx in
                let path = try settings(ctx).path
                let area = try ctx.swapAreas().first { $0.path == path }
                return Check(
                    area != nil, "\(path) active", area.map { "\(ByteSize.human(kiB: $0.sizeKiB)) in /proc/swaps" } ?? "not in /proc/swaps")
            }
        )
    }

    static func currentSwappiness(_ ctx: StepContext) -> String {
        ctx.host.lookupFile("/proc/sys/vm/swappiness").describe(absent: "missing") { $0.trimmingWhitespace() }
    }

    static var swappinessNow: Action {
        Action(
            id: "swappiness-now",
            title: "Lower swappiness now",
            why: "Keeps the model in RAM and swaps only under pressure.",
            kind: .commands { ctx in [.privileged(["sysctl", "-w", "vm.swappiness=\(try ctx.answer(.swappiness))"])] },
            check: { ctx in
                let wanted = try ctx.answer(.swappiness)
                let now = currentSwappiness(ctx)
                return Check(now == wanted, "swappiness \(wanted)", "/proc/sys/vm/swappiness is \(now)")
            }
        )
    }

    static func dropIn(_ ctx: StepContext) throws -> String {
        try EmbeddedTemplates.render("swappiness.conf", values: ["swappiness": try ctx.answer(.swappiness)])
    }

    static var swappinessPersisted: Action {
        Action(
            id: "swappiness-persist",
            title: "Keep swappiness after reboot (\(dropInPath))",
            why: "A drop-in under /etc/sysctl.d is read at every boot; unlike appending to /etc/sysctl.conf, rewriting it is idempotent.",
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

    static func editedFstab(_ ctx: StepContext) throws -> Fstab.Edit {
        guard let current = try ctx.currentContent(of: "/etc/fstab") else { throw ValidationFailure("/etc/fstab does not exist") }
        return Fstab.ensureSwapfile(in: current, swapfile: try settings(ctx).path)
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
        checks.append(try enable.check(ctx))
        checks.append(try swappinessNow.check(ctx))
        checks.append(try swappinessPersisted.check(ctx))
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
        let verdict = SwapGate.evaluate(try ctx.swapAreas())
        checks.append(Check(verdict.passes, "swap gate", "\(ByteSize.human(kiB: verdict.totalKiB)) of 64G"))
        return checks
    }
}
