import Phase0Core
import Phase0Parsers

/// Step 0's swapfile: allocate, chmod, mkswap, swapon, and the rule that guards them all.
/// phase0 only ever allocates, truncates, chattrs, chmods, formats or turns on a file that
///  - it created itself, in this procedure, at this path: the allocate action records the path
///    before its commands run and the file's inode and size after (`ActionRecord.made`), and
///    every later run checks the file against that record; or
///  - already carries a swap signature (an existing swapfile is kept as it is).
/// Anything else at the chosen path is refused (exit 3) however many attempts came before, on
/// every filesystem.
enum SwapfileActions {
    /// What is at the swapfile path, as the rule sees it.
    enum Finding: Equatable {
        case absent
        case directory
        /// A swap area (active, or a file with a swap signature): kept, never reformatted.
        case swapArea(active: Bool, bytes: Int64)
        /// The file phase0 made here (recorded with this identity, or its creation was cut).
        case madeByPhase0(bytes: Int64)
        /// Anything else: never touched.
        case foreign(bytes: Int64)
    }

    /// Throws when phase0 cannot tell (/proc/swaps unreadable, blkid could not be asked): what
    /// it cannot see, it never touches.
    static func finding(_ ctx: StepContext) throws -> Finding {
        let path = try SwapStep.settings(ctx).path
        if let area = try ctx.swapAreas().first(where: { $0.path == path }) {
            return .swapArea(active: true, bytes: (area.sizeKiB + 4) * 1024)
        }
        guard let info = ctx.host.fileInfo(path) else { return .absent }
        if info.isDirectory { return .directory }
        if madeByPhase0(path, info, ctx) { return .madeByPhase0(bytes: info.size) }
        switch SwapStep.swapSignature(path, ctx) {
        case .found(true): return .swapArea(active: false, bytes: info.size)
        case .found(false), .absent: return .foreign(bytes: info.size)
        case .unknown(let why):
            throw ValidationFailure("phase0 cannot tell what \(path) holds (\(why)), so it does not touch it")
        }
    }

    /// Whether the resume file says phase0 made this file, at this path, and it is still that file.
    static func madeByPhase0(_ path: String, _ info: FileInfo, _ ctx: StepContext) -> Bool {
        guard let record = ctx.record(of: "allocate"), let made = record.made, made.path == path else { return false }
        if made.inode == nil && made.size == nil {
            // Only the intent was saved: the run was cut while fallocate (or truncate) ran. The
            // path was absent when phase0 started, so what is there now is its own.
            return record.status == .inFlight || record.status == .interrupted
        }
        return made.inode == info.inode && made.size == info.size
    }

    /// Why Step 0 will not touch what is at the path, with what to do; nil when it may.
    static func refusal(_ ctx: StepContext) -> String? {
        let path: String
        let found: Finding
        do {
            path = try SwapStep.settings(ctx).path
            found = try finding(ctx)
        } catch { return "\(error)" }
        switch found {
        case .directory:
            return "\(path) is a directory; choose another swapfile path (answers file: \"swapfile\")"
        case .foreign(let bytes):
            return
                "\(path) already exists (\(ByteSize.human(bytes: bytes))) and is neither a swap area nor a file phase0 made there; phase0 never overwrites, truncates or formats a file it did not make. Move it aside, or choose another swapfile path (answers file: \"swapfile\")."
        case .absent, .madeByPhase0, .swapArea:
            return nil
        }
    }

    // MARK: - Actions

    static var allocate: Action {
        Action(
            id: "allocate",
            title: "Allocate the swapfile",
            why:
                "fallocate reserves the space instantly on ext4/xfs NVMe; nothing is written to the disk. phase0 allocates only a path where nothing exists (or the file it made there itself).",
            kind: .commands { ctx in
                let (path, size, _) = try SwapStep.settings(ctx)
                let fsType = ctx.filesystem(of: SwapStep.directory(of: path))?.type
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
                let (path, _, bytes) = try SwapStep.settings(ctx)
                let label = "\(path) allocated"
                switch try finding(ctx) {
                case .absent: return Check(false, label, "\(path) does not exist")
                case .directory: return Check(false, label, "\(path) is a directory")
                case .foreign(let size): return Check(false, label, "\(path) (\(ByteSize.human(bytes: size))) is not a file phase0 made")
                case .madeByPhase0(let size):
                    return Check(
                        size >= bytes, label,
                        size >= bytes
                            ? ByteSize.human(bytes: size)
                            : "\(path) is \(ByteSize.human(bytes: size)), not yet \(ByteSize.human(bytes: bytes))")
                case .swapArea(let active, let size):
                    let kept = "an existing swap area of \(ByteSize.human(bytes: size))\(active ? ", active" : ""); kept as it is"
                    if size >= bytes || keepingPassesTheGate(path, size: size, ctx) { return Check(true, label, kept) }
                    return Check(
                        false, label,
                        "\(path) is already a swap area of \(ByteSize.human(bytes: size)), smaller than the \(ByteSize.human(bytes: bytes)) asked"
                    )
                }
            },
            refuse: { ctx in
                if let reason = refusal(ctx) { return reason }
                let path: String
                let bytes: Int64
                do { (path, _, bytes) = try SwapStep.settings(ctx) } catch { return "the swapfile settings cannot be used: \(error)" }
                if case .swapArea(let active, let size)? = try? finding(ctx) { return noDeadEnd(path, active: active, size: size, ctx) }
                let dir = SwapStep.directory(of: path)
                guard let fs = ctx.filesystem(of: dir) else { return "cannot tell which filesystem holds \(dir) (findmnt failed)" }
                guard SwapStep.supportedFilesystems.contains(fs.type) else {
                    let why =
                        fs.type == "zfs" ? "ZFS cannot hold a swapfile" : "a swapfile on \(fs.type) is not supported by this procedure"
                    return "\(dir) is on \(fs.type): \(why). Choose a swapfile path on an ext4, xfs or btrfs filesystem."
                }
                let already = ctx.host.fileInfo(path)?.size ?? 0
                let needed = bytes - already + SwapStep.freeSpaceMarginBytes
                guard fs.availBytes >= needed else {
                    return
                        "\(dir) has \(ByteSize.human(bytes: fs.availBytes)) free; a \(ByteSize.human(bytes: bytes)) swapfile needs \(ByteSize.human(bytes: needed)) including a \(ByteSize.human(bytes: SwapStep.freeSpaceMarginBytes)) margin. Free space, choose another filesystem, or a smaller size that still reaches 64G of swap in all."
                }
                return nil
            },
            creates: { ctx in try SwapStep.settings(ctx).path }
        )
    }

    /// Whether keeping an existing, smaller swap area at the path still passes both figures.
    static func keepingPassesTheGate(_ path: String, size: Int64, _ ctx: StepContext) -> Bool {
        let figures = SwapGate.figures(ctx.host, swapfile: path)
        let areaKiB = size / 1024 - 4
        let now = figures.nowAreas.filter { $0.path != path }.map(\.sizeKiB) + [areaKiB]
        let boot = figures.bootAreas.filter { $0.device != path }.compactMap(\.sizeKiB) + [areaKiB]
        return SwapGate.evaluate(sizesKiB: now).passes && SwapGate.evaluate(sizesKiB: boot).passes
    }

    /// A swap area smaller than asked, with which the gate cannot pass: what is possible.
    static func noDeadEnd(_ path: String, active: Bool, size: Int64, _ ctx: StepContext) -> String {
        var figures = SwapGate.figures(ctx.host, swapfile: path)
        let areaKiB = size / 1024 - 4
        figures.nowAreas = figures.nowAreas.filter { $0.path != path } + [SwapArea(path: path, sizeKiB: areaKiB)]
        figures.bootAreas = figures.bootAreas.filter { $0.device != path } + [SwapGate.BootArea(device: path, sizeKiB: areaKiB, note: "")]
        let more = SwapGate.wholeGiB(kiB: SwapGate.missingKiB(figures) + 4)
        return
            "\(path) is already a swap area of \(ByteSize.human(bytes: size))\(active ? ", in use" : ""), and with it the gate cannot pass. phase0 never resizes, reformats or turns off a swap area (swapoff would push its pages into RAM). Keep it and add another swapfile at another path: answer \"swapfile\" with a new path (for example \(path)2) and \"swapSize\" of at least \(more), which reaches 64G now and after a reboot."
    }

    static var permissions: Action {
        Action(
            id: "permissions",
            title: "Make the swapfile readable by root only",
            why: "Swapped-out memory holds whatever the model and agent had in RAM; swapon refuses world-readable swap.",
            kind: .commands { ctx in [.privileged(["chmod", "600", try SwapStep.settings(ctx).path])] },
            check: { ctx in
                let path = try SwapStep.settings(ctx).path
                guard let info = ctx.host.fileInfo(path) else { return Check(false, "mode 0600", "\(path) is missing") }
                let mode = "0" + String(info.mode & 0o777, radix: 8)
                return Check(info.mode & 0o777 == 0o600, "mode 0600", "\(path) is \(mode), owner \(info.owner)")
            },
            refuse: refusal
        )
    }

    static var format: Action {
        Action(
            id: "mkswap",
            title: "Write the swap signature (mkswap)",
            why: "mkswap prepares the file as a swap area. It runs only on the file phase0 made, and never on a swap area in use.",
            kind: .commands { ctx in [.privileged(["mkswap", try SwapStep.settings(ctx).path])] },
            check: { ctx in
                let path = try SwapStep.settings(ctx).path
                if try SwapStep.isActive(path, ctx) { return Check(true, "swap signature", "active") }
                let signature = SwapStep.swapSignature(path, ctx)
                return Check(
                    signature == .found(true), "swap signature",
                    signature.describe(absent: "blkid sees no swap signature") { $0 ? "blkid sees swap" : "blkid sees another signature" })
            },
            // Only on the file phase0 made (or nothing yet, in a dry run): anything else is refused.
            // Nor on a file whose signature blkid cannot read: its check could not tell either.
            refuse: { ctx in
                if let reason = refusal(ctx) { return reason }
                guard let path = try? SwapStep.settings(ctx).path, case .unknown(let why) = SwapStep.swapSignature(path, ctx) else {
                    return nil
                }
                return "phase0 cannot tell what \(path) holds (\(why)), so it does not run mkswap on it"
            }
        )
    }

    static var enable: Action {
        Action(
            id: "swapon",
            title: "Turn the swapfile on (swapon)",
            why: "Adds the new swap now, while the model stays loaded. The old /swap.img stays on: never swapoff it with the model loaded.",
            kind: .commands { ctx in [.privileged(["swapon", try SwapStep.settings(ctx).path])] },
            check: { ctx in
                let path = try SwapStep.settings(ctx).path
                let area = try ctx.swapAreas().first { $0.path == path }
                return Check(
                    area != nil, "\(path) active", area.map { "\(ByteSize.human(kiB: $0.sizeKiB)) in /proc/swaps" } ?? "not in /proc/swaps")
            },
            refuse: refusal
        )
    }
}
