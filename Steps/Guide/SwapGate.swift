import Phase0Core
import Phase0Parsers

/// The guide's hard rule: never continue past Step 0 with less than 64 GB of swap. It holds
/// for two figures, and both must pass:
/// - **now**: the areas in /proc/swaps (KiB, as the kernel counts them);
/// - **after a reboot**: the swap entries of /etc/fstab that will come back, without what Step 0
///   retires (/swap.img), since the agent's unit and Open WebUI start at boot whatever swap
///   there is then. An entry counts when it is active now (its /proc/swaps size) or is a file
///   carrying a swap signature (its size less one page); anything else is not counted.
/// Each counted area may be 64 KiB short of its size: mkswap keeps one page for its header, and
/// some aarch64 kernels use 64 KiB pages. So the rule is: total >= 64 GiB - 64 KiB x areas.
/// No option turns the gate off.
public enum SwapGate {
    public static let requiredKiB: Int64 = 64 * 1024 * 1024
    public static let headerAllowanceKiB: Int64 = 64
    /// What Step 0 comments out of /etc/fstab (it stays active until the next reboot).
    public static let retired = ["/swap.img"]

    public struct Verdict: Equatable, Sendable {
        public var passes: Bool
        public var totalKiB: Int64
        public var thresholdKiB: Int64
    }

    public static func evaluate(_ areas: [SwapArea]) -> Verdict {
        evaluate(sizesKiB: areas.map(\.sizeKiB))
    }

    public static func evaluate(sizesKiB sizes: [Int64]) -> Verdict {
        let total = sizes.reduce(Int64(0), +)
        let threshold = requiredKiB - headerAllowanceKiB * Int64(max(sizes.count, 1))
        return Verdict(passes: total >= threshold, totalKiB: total, thresholdKiB: threshold)
    }

    /// One swap entry of /etc/fstab, as the next boot will see it.
    public struct BootArea: Equatable, Sendable {
        public var device: String
        /// nil: not counted (why is in `note`).
        public var sizeKiB: Int64?
        public var note: String
    }

    /// Both figures of the gate for a machine.
    public struct Figures: Equatable, Sendable {
        public var now: Verdict
        public var nowAreas: [SwapArea]
        public var afterReboot: Verdict
        public var bootAreas: [BootArea]
        /// Set when /proc/swaps or /etc/fstab could not be read (counted as no swap).
        public var problem: String?
        public var passes: Bool { now.passes && afterReboot.passes }
    }

    /// Reads /proc/swaps and /etc/fstab through the host. `swapfile` is Step 0's chosen path,
    /// which Step 0 never retires even if it is named like /swap.img. What cannot be read
    /// counts as no swap, the safe side of the rule (the gate stays closed), and says why.
    public static func figures(_ host: Host, swapfile: String? = nil) -> Figures {
        var problems: [String] = []
        var areas: [SwapArea] = []
        do { areas = try readSwaps(host) } catch { problems.append("\(error)") }
        var boot: [BootArea] = []
        switch host.lookupFile("/etc/fstab") {
        case .found(let fstab): boot = bootAreas(fstab: fstab, active: areas, host: host, keep: swapfile)
        case .absent: problems.append("/etc/fstab does not exist: nothing is counted after a reboot")
        case .unknown(let why): problems.append("/etc/fstab could not be read (\(why)): nothing is counted after a reboot")
        }
        return Figures(
            now: evaluate(areas), nowAreas: areas, afterReboot: evaluate(sizesKiB: boot.compactMap(\.sizeKiB)),
            bootAreas: boot, problem: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    /// The active swap areas from /proc/swaps. Unreadable or malformed is an error: a reader
    /// that cannot see the swap must never conclude there is none.
    public static func readSwaps(_ host: Host) throws -> [SwapArea] {
        try ProcSwaps.parse(try read(host, "/proc/swaps"))
    }

    /// A file of /proc that must be there.
    static func read(_ host: Host, _ path: String) throws -> String {
        switch host.lookupFile(path) {
        case .found(let text): return text
        case .absent: throw ValidationFailure("\(path) could not be read: there is no such file (is /proc mounted?)")
        case .unknown(let why): throw ValidationFailure("\(path) could not be read: \(why)")
        }
    }

    static func bootAreas(fstab: String, active: [SwapArea], host: Host, keep: String?) -> [BootArea] {
        var result: [BootArea] = []
        for line in fstab.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 3, !fields[0].hasPrefix("#"), fields[2] == "swap" else { continue }
            let device = decodeOctalEscapes(fields[0])
            if retired.contains(device) && device != keep { continue }
            if fields.count >= 4, fields[3].split(separator: ",").contains("noauto") {
                result.append(BootArea(device: device, sizeKiB: nil, note: "noauto: not turned on at boot"))
                continue
            }
            let path = resolve(device, host: host)
            if let area = active.first(where: { $0.path == path }) {
                result.append(BootArea(device: device, sizeKiB: area.sizeKiB, note: "active now"))
            } else if let info = host.fileInfo(path), !info.isDirectory, info.size > 0, hasSwapSignature(path, host) {
                result.append(BootArea(device: device, sizeKiB: info.size / 1024 - 4, note: "swap signature, not active now"))
            } else {
                result.append(BootArea(device: device, sizeKiB: nil, note: "not active now and no swap signature seen: not counted"))
            }
        }
        return result
    }

    /// `UUID=...`, `LABEL=...` as the device they name (through /dev/disk/by-*), else the path.
    static func resolve(_ device: String, host: Host) -> String {
        let kinds = ["UUID=": "by-uuid", "LABEL=": "by-label", "PARTUUID=": "by-partuuid", "PARTLABEL=": "by-partlabel"]
        guard let (prefix, directory) = kinds.first(where: { device.hasPrefix($0.key) }) else { return device }
        let link = "/dev/disk/\(directory)/" + device.dropFirst(prefix.count)
        return host.probe(["readlink", "-f", "--", link]).value?.trimmingWhitespace() ?? link
    }

    /// Whether a file carries a swap signature, read with blkid as root (`sudo -n`, read-only).
    /// Could not tell reads as no: never formatted, never counted (the safe side both ways).
    public static func hasSwapSignature(_ path: String, _ host: Host) -> Bool {
        host.probe(["blkid", "-p", "-o", "value", "-s", "TYPE", path], runAs: .root).value?.trimmingWhitespace() == "swap"
    }

    /// KiB a new swap area must have for both figures to pass.
    public static func missingKiB(_ figures: Figures) -> Int64 {
        let now = evaluate(sizesKiB: figures.nowAreas.map(\.sizeKiB) + [0])
        let after = evaluate(sizesKiB: figures.bootAreas.compactMap(\.sizeKiB) + [0])
        return max(0, now.thresholdKiB - now.totalKiB, after.thresholdKiB - after.totalKiB)
    }

    /// A size in whole GiB, rounded up, as fallocate takes it ("16G").
    public static func wholeGiB(kiB: Int64) -> String {
        // Typed step by step: Swift 6.0's type checker (the aarch64 build) gives up on the one-liner.
        let kiBPerGiB: Int64 = 1024 * 1024
        let roundedUp: Int64 = (kiB + kiBPerGiB - 1) / kiBPerGiB
        return "\(max(1, roundedUp))G"
    }

    /// A swap size for the screen ("0G" rather than "0B" when there is none).
    public static func size(kiB: Int64) -> String { kiB == 0 ? "0G" : ByteSize.human(kiB: kiB) }

    /// The two figures, one line each, for reports and the gate's explanation.
    public static func describe(_ figures: Figures) -> [String] {
        func verdict(_ v: Verdict) -> String { v.passes ? "passes" : "under 64G" }
        let retiredNote = retired.joined(separator: ", ")
        return [
            "Swap now: \(size(kiB: figures.now.totalKiB)) (/proc/swaps, \(verdict(figures.now)))",
            "Swap after a reboot: \(size(kiB: figures.afterReboot.totalKiB)) (/etc/fstab with \(retiredNote) retired by Step 0, \(verdict(figures.afterReboot)))",
        ]
    }

    public static func explanation(_ figures: Figures) -> String {
        var text = """
            STOPPED AT THE SWAP GATE: this machine has \(size(kiB: figures.now.totalKiB)) of swap now and \
            \(size(kiB: figures.afterReboot.totalKiB)) after a reboot; the guide's hard rule is at least 64G, \
            now and after every reboot (the agent and Open WebUI start at boot).

            """
        text += describe(figures).map { "  " + $0 }.joined(separator: "\n") + "\n"
        text += """
            With ~230 MB of RAM free under the 229B model, Docker and Open WebUI (~500 MB–1 GB) would \
            trigger the OOM killer and crash the model.
            What to do: complete Step 0 (expand swap): a swapfile of at least \(wholeGiB(kiB: missingKiB(figures))) \
            (the guide's is 128G) reaches 64G now and after a reboot; then run phase0 again. phase0 never turns \
            swap off. No option skips this gate.
            """
        if let problem = figures.problem { text += "\n(\(problem))" }
        return text
    }

    /// The guide's hard rule as the engine's gate: Steps 1–5 need it, Step 0 opens it.
    public static var gate: Gate {
        Gate { ctx in
            let measured = figures(ctx.host, swapfile: ctx.answerIfGiven("swapfile"))
            return measured.passes ? nil : explanation(measured)
        }
    }
}

extension MemInfo {
    /// /proc/meminfo, read through the host; unreadable or malformed is an error.
    public static func read(_ host: Host) throws -> MemInfo { try parse(try SwapGate.read(host, "/proc/meminfo")) }
}
