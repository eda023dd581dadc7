import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import Phase0Practice
import Phase0Parsers

/// What the drill prompt prints is laid out as the real tools lay it out: each check runs the
/// real tool on this machine and compares with the simulation given the same facts.
@Suite(.serialized) struct TeachingFormatTests {
    func run(_ argv: [String], environment: [String: String]? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    /// The column where each field of a line ends (right edges), for right-aligned tables.
    func rightEdges(_ line: Substring) -> [Int] {
        var edges: [Int] = []
        let characters = Array(line)
        for index in characters.indices where characters[index] != " " && (index + 1 == characters.count || characters[index + 1] == " ") {
            edges.append(index)
        }
        return edges
    }

    @Test func freeHasProcpsLayout() throws {
        let (_, real, _) = try run(["free", "-h"])
        let simulated = SimulatedSpark().free(["-h"]).output
        let realLines = real.split(separator: "\n"), simLines = simulated.split(separator: "\n")
        #expect(simLines.count == realLines.count)
        #expect(simLines[0] == realLines[0], "header")
        for (sim, live) in zip(simLines.dropFirst(), realLines.dropFirst()) {
            #expect(rightEdges(sim) == rightEdges(live), "\(sim) vs \(live)")
            #expect(sim.prefix(5) == live.prefix(5))
        }
        for value in ["230Mi", "121Gi", "144Gi", "1.7Gi", "0B"] { #expect(SimulatedSpark.freeHuman(["230Mi": 235520, "121Gi": 126877696, "144Gi": 150994940, "1.7Gi": 1782580, "0B": 0][value]!) == value) }
    }

    /// A 16M swapfile turned on for a moment (as root; swapoff right after).
    @Test(.enabled(if: geteuid() == 0, "swapon needs root")) func swaponShowHasUtilLinuxLayout() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("phase0-format-\(getpid()).swap").path
        defer { _ = try? run(["swapoff", path]); unlink(path) }
        #expect(try run(["fallocate", "-l", "16M", path]).0 == 0)
        chmod(path, 0o600)
        #expect(try run(["mkswap", path]).0 == 0)
        let (on, _, why) = try run(["swapon", path])
        try #require(on == 0, "swapon: \(why)")
        // The same areas, read from /proc/swaps at the same moment, laid out by the simulation.
        let (_, real, _) = try run(["swapon", "--show"])
        let areas = try ProcSwaps.parse(try String(contentsOfFile: "/proc/swaps", encoding: .utf8))
        _ = try run(["swapoff", path])
        #expect(real.contains(path))
        #expect(SimulatedSpark.swaponTable(areas) == real, "\(SimulatedSpark.swaponTable(areas)) vs \(real)")
        #expect(SimulatedSpark.swaponTable([]) == "", "no swap: swapon --show prints nothing")
    }

    /// Listeners on loopback made here, then real `ss` and the simulation on the same rows.
    @Test func ssHasIproute2Layout() throws {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var rows: [SSRow] = []
        for address in ["127.0.0.1", "::1"] {
            let v6 = address.contains(":")
            let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(fd >= 0)
            sockets.append(fd)
            var port: UInt16 = 0
            if v6 {
                var a = sockaddr_in6(); a.sin6_family = sa_family_t(AF_INET6); a.sin6_addr = in6addr_loopback
                var size = socklen_t(MemoryLayout<sockaddr_in6>.size)
                _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
                _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) } }
                port = UInt16(bigEndian: a.sin6_port)
            } else {
                var a = sockaddr_in(); a.sin_family = sa_family_t(AF_INET); a.sin_addr.s_addr = inet_addr("127.0.0.1")
                var size = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
                _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) } }
                port = UInt16(bigEndian: a.sin_port)
            }
            #expect(listen(fd, 4096) == 0)
            rows.append(SSRow(address: address, port: Int(port), process: "x", pid: 1, fd: 3, owner: "nobody"))
        }
        let filter = "( sport = :\(rows[0].port) or sport = :\(rows[1].port) )"
        for flags in ["-ltn", "-Hltn"] {
            let (_, real, _) = try run(["ss", flags, filter])
            let simulated = SSRow.render(rows, header: flags == "-ltn", process: nil)
            #expect(simulated == real, "ss \(flags):\n\(simulated)---\n\(real)")
        }
    }

    @Test func dockerWithoutADaemonSaysWhatTheRealCLISays() throws {
        let (code, _, stderr) = try run(["docker", "ps"], environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp"])
        #expect(code == 1)
        #expect(stderr == SimulatedSpark.noDaemon, "\(stderr)")
        var machine = SimulatedSpark()
        machine.docker.daemonRunning = false
        #expect(machine.execute(["docker", "ps"], as: "root", input: nil).output == stderr)
    }

    @Test func journalctlWithNothingToShowEndsLikeTheRealOne() throws {
        let (_, real, _) = try run(["journalctl", "--no-pager", "-u", "phase0-format-test-\(getpid()).service", "-n", "50"])
        let simulated = SimulatedSpark().journalctl(["-u", "phase0-format-test.service", "-n", "50"]).output
        #expect(real.hasSuffix("-- No entries --\n") && simulated == "-- No entries --\n", "\(real)")
    }

    /// The real systemd-analyze reads a root built from the simulated Spark's sysctl files.
    @Test func catConfigMatchesTheRealSystemdAnalyze() throws {
        var machine = SimulatedSpark()
        machine.files["/etc/sysctl.d/99-phase0-swappiness.conf"] = SimFile(content: "# phase0\nvm.swappiness = 10\n", mode: 0o644)
        machine.files["/etc/sysctl.conf"]?.content = "# /etc/sysctl.conf\nvm.swappiness=60\n"
        machine.files["/usr/lib/sysctl.d/50-pid-max.conf"] = SimFile(content: "kernel.pid_max = 4194304\n", mode: 0o644)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phase0-sysctl-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["/etc/sysctl.d", "/usr/lib/sysctl.d"] { try FileManager.default.createDirectory(atPath: root + directory, withIntermediateDirectories: true) }
        for path in ["/etc/sysctl.d/99-phase0-swappiness.conf", "/etc/sysctl.conf", "/usr/lib/sysctl.d/50-pid-max.conf"] {
            try machine.files[path]!.content!.write(toFile: root + path, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/99-sysctl.conf", withDestinationPath: "../sysctl.conf")
        let (code, real, _) = try run(["systemd-analyze", "--root=\(root)", "cat-config", "sysctl.d"])
        #expect(code == 0)
        #expect(machine.catConfigSysctl().output == real.replacingOccurrences(of: "# " + root, with: "# "), "\(real)")
        #expect(machine.bootSysctl()["vm.swappiness"] == "60")
    }

    @Test func curlAndTmuxErrorsHaveTheRealShape() throws {
        let (_, real, realErr) = try run(["curl", "-sS", "http://127.0.0.1:1/"])
        let simulated = SimulatedSpark().simulateCurl(["-sS", "http://127.0.0.1:1/"], from: .host).output
        func shape(_ text: String) -> String { text.replacingOccurrences(of: #"\d+ ms"#, with: "N ms", options: .regularExpression) }
        #expect(real.isEmpty && shape(simulated) == shape(realErr), "\(simulated) vs \(realErr)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phase0-tmux-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/tmux-\(geteuid())", withIntermediateDirectories: true)
        chmod(directory + "/tmux-\(geteuid())", 0o700)
        let (_, _, tmuxErr) = try run(["tmux", "ls"], environment: ["TMUX_TMPDIR": directory, "PATH": "/usr/bin:/bin"])
        var machine = SimulatedSpark()
        let ours = machine.simulateTmux("tmux", ["ls"], as: "vybnz69").output
        #expect(tmuxErr.replacingOccurrences(of: directory + "/tmux-\(geteuid())", with: "DIR") == ours.replacingOccurrences(of: "/tmp/tmux-1000", with: "DIR"),
                "\(tmuxErr) vs \(ours)")
    }
}
