import Phase0Core
import Phase0Parsers

/// The read-only diagnostics `preflight` and `troubleshoot` run on the simulated Spark: ip,
/// dmesg, vmstat, and programs started by path (the venv's python).
extension SimulatedSpark {
    func simulateDiagnostics(_ name: String, _ args: [String], as user: String) -> CommandResult {
        switch name {
        case "ip":
            guard args.starts(with: ["route"]) || args.starts(with: ["r"]) else {
                return .init(exitStatus: 1, output: "phase0 practice: ip \(args.joined(separator: " ")) is not simulated\n")
            }
            return .init(exitStatus: 0, output: "default via 192.168.1.1 dev enP7s7 proto dhcp src 192.168.1.50 metric 100\n")
        case "dmesg":
            // kernel.dmesg_restrict=1 on Ubuntu: only root reads the kernel log.
            guard user == "root" else { return .init(exitStatus: 1, output: "dmesg: read kernel buffer failed: Operation not permitted\n") }
            var lines = [
                "[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x411fd440]",
                "[    2.113021] systemd[1]: systemd 255.4-1ubuntu8 running in system mode",
            ]
            if simulatedOOM {
                lines.append("[86012.441207] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=ollama,pid=2211,uid=998")
                lines.append("[86012.441300] Out of memory: Killed process 2211 (ollama) total-vm:139586437kB, anon-rss:121634816kB")
            }
            lines += kernelLog ?? []
            return .init(exitStatus: 0, output: lines.joined(separator: "\n") + "\n")
        case "vmstat":
            let swapUsed = swaps.reduce(Int64(0)) { $0 + $1.usedKiB }
            let swapping = simulatedOOM && !swaps.isEmpty ? "  812 1630" : "    0    0"
            var text = "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----\n"
            text += " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st\n"
            let samples = max(1, Int(args.last ?? "1") ?? 1)
            for _ in 0..<min(samples, 10) {
                text +=
                    " 1  0 \(swapUsed) \(memAvailableKiB / 2)   1024 \(memAvailableKiB / 2)\(swapping)    12    40  900 1500 60  3 37  0  0\n"
            }
            return .init(exitStatus: 0, output: text)
        default:
            return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }

    /// The guide's warning, played out: under 64G of swap with Open WebUI's container running,
    /// the OOM killer takes the model. This is the simulated machine's physics, not the
    /// wizard's rule (SwapGate), so a bug in the gate cannot hide itself in practice.
    var simulatedOOM: Bool {
        let oneHeaderPageKiB: Int64 = 4
        let enoughKiB = 64 * 1024 * 1024 - oneHeaderPageKiB * Int64(max(swaps.count, 1))
        return swaps.reduce(0) { $0 + $1.sizeKiB } < enoughKiB && docker.containers.contains { $0.running }
    }

    /// A program started by its path (the venv's python): it runs if the file is executable.
    func simulateExecutable(_ path: String, _ args: [String]) -> CommandResult {
        guard let file = files[path], !file.isDirectory else {
            return .init(exitStatus: 127, output: "\(path): No such file or directory\n")
        }
        guard file.mode & 0o111 != 0 else { return .init(exitStatus: 126, output: "\(path): Permission denied\n") }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasPrefix("python") {
            if args == ["--version"] || args == ["-V"] { return .init(exitStatus: 0, output: "Python 3.12.3\n") }
            return .init(exitStatus: 0, output: "")
        }
        return .init(exitStatus: 1, output: "phase0 practice: \(path) is not simulated\n")
    }
}
