import Phase0Core
import Phase0Parsers

/// The guide's "OOM kills or system unresponsive" flow: swap now and after a reboot, memory,
/// Open WebUI's share and cap, the kernel's OOM kills, swapping now.
extension Troubleshooting {
    // MARK: - OOM kills or system unresponsive

    static func oom(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        let figures = SwapGate.figures(host)
        if let problem = figures.problem {
            findings.append(Finding(.problem, "The swap cannot be read", seen: problem, todo: "cat /proc/swaps /etc/fstab; free -h"))
            if (try? SwapGate.readSwaps(host)) == nil { return findings + memoryFindings(host, a) }
        }
        let areas = figures.nowAreas
        let listing = areas.map { "\($0.path) \(ByteSize.human(kiB: $0.sizeKiB)) (used \(ByteSize.human(kiB: $0.usedKiB)))" }.joined(
            separator: ", ")
        if areas.isEmpty {
            findings.append(
                Finding(
                    .problem, "No swap is active", seen: "/proc/swaps lists no swap area",
                    todo: "Run phase0: Step 0 creates a 128G swapfile. With ~230 MB of RAM free, any extra process triggers the OOM killer."
                ))
        } else if !figures.now.passes {
            findings.append(
                Finding(
                    .problem, "Swap is below 64G", seen: "\(ByteSize.human(kiB: figures.now.totalKiB)) in all: \(listing)",
                    todo: "Run phase0: Step 0 adds a 128G swapfile (the guide's minimum is 64G)."))
        } else {
            findings.append(
                Finding(.ok, "Swap is active and large enough", seen: "\(ByteSize.human(kiB: figures.now.totalKiB)): \(listing)"))
        }
        if !areas.isEmpty && !figures.afterReboot.passes {
            let boot = figures.bootAreas.map { "\($0.device) (\($0.sizeKiB.map { ByteSize.human(kiB: $0) } ?? $0.note))" }
            findings.append(
                Finding(
                    .problem, "Swap after the next reboot would be below 64G",
                    seen: SwapGate.describe(figures)[1] + ": " + boot.joined(separator: ", "),
                    todo:
                        "Run phase0: Step 0 makes a swapfile that /etc/fstab brings back at every boot (the agent and Open WebUI start at boot)."
                ))
        }
        return findings + memoryFindings(host, a)
    }

    /// Memory, Open WebUI's share and cap, the kernel's OOM kills, swapping now.
    static func memoryFindings(_ host: Host, _ a: GuideAnswers) -> [Finding] {
        var findings: [Finding] = []
        do {
            let mem = try MemInfo.read(host)
            findings.append(
                Finding(
                    .info, "Memory",
                    seen:
                        "MemAvailable \(ByteSize.human(kiB: mem.memAvailableKiB)) of \(ByteSize.human(kiB: mem.memTotalKiB)); SwapFree \(ByteSize.human(kiB: mem.swapFreeKiB))"
                ))
        } catch {
            findings.append(Finding(.info, "Memory", seen: "\(error)"))
        }

        let container = a.webuiContainer
        switch Probe.docker(host, ["stats", container, "--no-stream", "--format", "{{.MemUsage}} ({{.MemPerc}})"], timeout: 20) {
        case .found(let stats):
            findings.append(Finding(.info, "Open WebUI's memory (docker stats \(container) --no-stream)", seen: stats.trimmingWhitespace()))
        case .absent:
            findings.append(Finding(.info, "Open WebUI's memory", seen: "docker stats \(container): no such container"))
        case .unknown(let why):
            findings.append(Finding(.info, "Open WebUI's memory", seen: "docker stats \(container) gave nothing: \(why)"))
        }
        if let limit = Probe.dockerInspect(host, container, "{{.HostConfig.Memory}}").value, let bytes = Int64(limit) {
            if bytes == 0 {
                findings.append(
                    Finding(
                        .problem, "\(container) has no memory cap", seen: "HostConfig.Memory is 0 (unlimited)",
                        todo: "Recreate it with --memory=2g --memory-swap=4g (phase0 Step 3)."))
            } else {
                findings.append(Finding(.ok, "\(container) is memory-capped", seen: "--memory=\(ByteSize.human(bytes: bytes))"))
            }
        }

        let dmesg = host.probe(.rootProbe(["dmesg"], timeout: 20))
        if let log = dmesg.value {
            let kills = lines(in: log, mentioning: ["oom", "killed"], limit: 20)
            if kills.isEmpty {
                findings.append(Finding(.ok, "No OOM kills in the kernel log", seen: "dmesg | grep -i 'oom\\|killed': nothing"))
            } else {
                findings.append(
                    Finding(
                        .problem, "The OOM killer struck", seen: kills.joined(separator: "\n"),
                        todo:
                            "Keep swap >= 64G (Step 0) and Open WebUI capped at 2g (Step 3); if Ollama was killed: sudo systemctl restart \(a.ollamaUnit)"
                    ))
            }
        } else {
            findings.append(
                Finding(
                    .info, "The kernel log needs root", seen: dmesg.unknownReason ?? "sudo -n dmesg failed",
                    todo: "sudo dmesg | grep -i 'oom\\|killed' | tail -20"))
        }

        if let vmstat = host.probe(["vmstat", "1", "5"], timeout: 15).value {
            findings.append(Finding(.info, "Swap activity (vmstat 1 5: si/so = pages in/out per second)", seen: swapActivity(vmstat)))
        }
        return findings
    }

    /// The si/so columns of `vmstat 1 5`, summed up for the reader.
    static func swapActivity(_ text: String) -> String {
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        guard let header = rows.first(where: { $0.contains("si") && $0.contains("so") }),
            let si = header.firstIndex(of: "si"), let so = header.firstIndex(of: "so")
        else { return text }
        let samples = rows.filter { $0.count == header.count && Int($0[si]) != nil }.dropFirst()
        guard !samples.isEmpty else { return "no samples" }
        let swapIn = samples.compactMap { Int($0[si]) }.reduce(0, +) / samples.count
        let swapOut = samples.compactMap { Int($0[so]) }.reduce(0, +) / samples.count
        let verdict =
            swapIn + swapOut == 0 ? "no swapping now" : "swapping now (normal under pressure; sustained high values mean memory is short)"
        return "average si \(swapIn), so \(swapOut): \(verdict)"
    }
}
