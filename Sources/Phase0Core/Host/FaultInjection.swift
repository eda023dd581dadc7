import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// Named instants of a run (before and after each action, around each command, after each
/// save) where the reliability tests cut the wizard, to prove a cut anywhere resumes to the
/// same end.
///
/// Two ways in, neither reachable by an operator of a normal build:
/// - In-process tests set `observer` (a task-local, internal: only `@testable import` sees it)
///   and snapshot the resume file and the machine at each instant.
/// - A test-only build, `swift build -Xswiftc -DPHASE0_FAULT_INJECTION --scratch-path
///   .build-fault`, reads `PHASE0_TEST_KILL_AT=POINT[#N]` and SIGKILLs itself at the N-th
///   time it reaches POINT (`PHASE0_TEST_TRACE=FILE` lists every point reached). A normal build
///   has no such code at all, so no environment variable can make a shipped phase0 kill itself
///   halfway through an fstab edit: that is why this is a compile-time switch, not an env var.
///
/// Point names: `STEP:ACTION:before`, `STEP:ACTION:command-N` (just before command N runs),
/// `STEP:ACTION:command-N-ran` (it returned, nothing recorded yet), `STEP:ACTION:after`,
/// `save` (a save completed), `store:renaming` (the new resume file is written and synced,
/// not yet renamed over the old one).
enum FaultInjection {
    @TaskLocal static var observer: (@Sendable (String) -> Void)?

    static func reached(_ point: String) {
        if let observer { observer(point) }
        #if PHASE0_FAULT_INJECTION
        FaultBuild.shared.reached(point)
        #endif
    }
}

#if PHASE0_FAULT_INJECTION
/// Only in the test-only build: the environment-driven kill switch and trace.
final class FaultBuild: @unchecked Sendable {
    static let shared = FaultBuild()
    private var counts: [String: Int] = [:]
    private let killAt: (point: String, occurrence: Int)?
    private let traceFD: Int32

    private init() {
        if let raw = getenv("PHASE0_TEST_KILL_AT").map({ String(cString: $0) }), !raw.isEmpty {
            let parts = raw.split(separator: "#", maxSplits: 1)
            killAt = (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
        } else {
            killAt = nil
        }
        if let path = getenv("PHASE0_TEST_TRACE") {
            traceFD = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        } else {
            traceFD = -1
        }
    }

    func reached(_ point: String) {
        let occurrence = (counts[point] ?? 0) + 1
        counts[point] = occurrence
        if traceFD >= 0 {
            let line = Array("\(point)#\(occurrence)\n".utf8)
            _ = line.withUnsafeBytes { write(traceFD, $0.baseAddress, $0.count) }
        }
        if let killAt, killAt.point == point, killAt.occurrence == occurrence {
            kill(getpid(), SIGKILL)
        }
    }
}
#endif
