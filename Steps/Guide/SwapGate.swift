import Phase0Core
import Phase0Parsers

/// The guide's hard rule: never continue past Step 0 with less than 64 GB of swap.
/// Measured from /proc/swaps (KiB). mkswap keeps one page of each area for its header, so
/// a 64G swapfile reports a page less than 64 GiB; each area is allowed one page, up to the
/// 64 KiB pages some aarch64 kernels use. No option turns the gate off.
public enum SwapGate {
    public static let requiredKiB: Int64 = 64 * 1024 * 1024
    public static let headerAllowanceKiB: Int64 = 64

    public struct Verdict: Equatable {
        public var passes: Bool
        public var totalKiB: Int64
        public var thresholdKiB: Int64
    }

    public static func evaluate(_ areas: [SwapArea]) -> Verdict {
        let total = areas.reduce(Int64(0)) { $0 + $1.sizeKiB }
        let threshold = requiredKiB - headerAllowanceKiB * Int64(max(areas.count, 1))
        return Verdict(passes: total >= threshold, totalKiB: total, thresholdKiB: threshold)
    }

    /// The active swap areas from /proc/swaps. Unreadable or malformed is an error: a reader
    /// that cannot see the swap must never conclude there is none.
    public static func readSwaps(_ host: Host) throws -> [SwapArea] {
        try ProcSwaps.parse(try read(host, "/proc/swaps"))
    }

    /// For the gate: what /proc/swaps holds, and why it could not be read. Unreadable or
    /// malformed counts as no swap here, the safe side of the rule (the gate stays closed).
    public static func measure(_ host: Host) -> (Verdict, String?) {
        do { return (evaluate(try readSwaps(host)), nil) } catch {
            return (evaluate([]), "\(error)")
        }
    }

    /// A file of /proc that must be there.
    static func read(_ host: Host, _ path: String) throws -> String {
        switch host.lookupFile(path) {
        case .found(let text): return text
        case .absent: throw ValidationFailure("\(path) could not be read: there is no such file (is /proc mounted?)")
        case .unknown(let why): throw ValidationFailure("\(path) could not be read: \(why)")
        }
    }

    public static func explanation(verdict: Verdict, problem: String?) -> String {
        var text = """
            STOPPED AT THE SWAP GATE: this machine has \(ByteSize.human(kiB: verdict.totalKiB)) of swap; \
            the guide's hard rule is at least 64G before anything else runs.
            With ~230 MB of RAM free under the 229B model, Docker and Open WebUI (~500 MB–1 GB) would \
            trigger the OOM killer and crash the model.
            What to do: complete Step 0 (expand swap), then run phase0 again. No option skips this gate.
            """
        if let problem { text += "\n(\(problem))" }
        return text
    }

    /// The guide's hard rule as the engine's gate: Steps 1–5 need it, Step 0 opens it.
    public static var gate: Gate {
        Gate { host in
            let (verdict, problem) = measure(host)
            return verdict.passes ? nil : explanation(verdict: verdict, problem: problem)
        }
    }
}

extension MemInfo {
    /// /proc/meminfo, read through the host; unreadable or malformed is an error.
    public static func read(_ host: Host) throws -> MemInfo { try parse(try SwapGate.read(host, "/proc/meminfo")) }
}
