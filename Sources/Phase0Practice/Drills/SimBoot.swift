import Phase0Core
import Phase0Parsers

/// A reboot of the simulated Spark: what survives is what was persisted. Swap comes back from
/// /etc/fstab alone, swappiness from systemd-sysctl's reading of the sysctl.d files, services
/// only where enabled, containers by their restart policy; tmux sessions and the kernel log
/// are gone. Drills use it to plant "after a reboot" faults and to check that a fix lasts.
extension SimulatedSpark {
    public mutating func reboot() {
        boots = (boots ?? 0) + 1
        kernelLog = nil
        tmuxSessions = []
        swaps = bootSwaps()
        swappiness = SysctlBoot.value(of: "vm.swappiness", in: sysctlBootCandidates()).flatMap { Int($0.value) } ?? 60
        systemd.running = [:]
        systemd.failed = []
        let marker = "-- Boot \(bootID) --"
        for unit in systemd.journal.keys.sorted() { systemd.journal[unit]?.append(marker) }
        for name in services.keys {
            services[name]?.active = false
            services[name]?.restarts = 0
        }
        docker.daemonRunning = false
        // Units without a file of their own (ollama, docker, tailscaled) come up first; the
        // agent's unit is ordered After=ollama.service.
        let order = services.keys.sorted { (unitFileText($0) == nil ? 0 : 1, $0) < (unitFileText($1) == nil ? 0 : 1, $1) }
        for name in order where services[name]?.enabled == true {
            if unitFileText(name) != nil { daemonReload() }
            _ = startUnit(name)
        }
        for index in docker.containers.indices {
            let policy = runConfig(docker.containers[index]).restart
            let comesBack =
                docker.daemonRunning
                && (policy.hasPrefix("always") || policy.hasPrefix("unless-stopped") && docker.containers[index].running)
            docker.containers[index].running = comesBack
            if comesBack { docker.containers[index].starts = (docker.containers[index].starts ?? 0) + 1 }
        }
    }

    /// journalctl's boot separator carries the 128-bit boot ID in hex.
    var bootID: String {
        let seed = String(boots ?? 0, radix: 16)
        return String(("b2c7e51a9d04c1f8a3d6e0f47b95c21" + seed).suffix(32))
    }

    /// The swap areas a boot activates: each active `swap` line of /etc/fstab whose file holds
    /// a swap signature (systemd's fstab generator makes a .swap unit per line).
    func bootSwaps() -> [SwapArea] {
        var areas: [SwapArea] = []
        for line in (files["/etc/fstab"]?.content ?? "").split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 3, !fields[0].hasPrefix("#"), fields[2] == "swap",
                let file = files[fields[0]], file.swapSignature, !areas.contains(where: { $0.path == fields[0] })
            else { continue }
            areas.append(SwapArea(path: fields[0], type: "file", sizeKiB: file.size / 1024 - 4, usedKiB: 0, priority: -2 - areas.count))
        }
        return areas
    }

    /// The files systemd-sysctl may read at boot, in directory precedence order, each read
    /// through its links: Debian and Ubuntu ship /etc/sysctl.d/99-sysctl.conf as a link to
    /// ../sysctl.conf, which is how /etc/sysctl.conf counts, under that name (FACTS.md B1).
    func sysctlBootCandidates() -> [SysctlBoot.File] {
        var candidates: [SysctlBoot.File] = []
        for directory in SysctlBoot.directories {
            let names = files.keys.filter { parentDirectory($0) == directory && files[$0]?.isDirectory == false }
                .map { String($0.dropFirst(directory.count + 1)) }.sorted()
            for name in names {
                candidates.append(SysctlBoot.File(directory: directory, name: name, content: resolvedFile(directory + "/" + name)?.content))
            }
        }
        return candidates
    }

    /// The files systemd-sysctl reads at boot, in the order it applies them (SysctlBoot, the
    /// same computation Step 0 makes: a name in an earlier directory hides the same name in a
    /// later one, sorted by name byte by byte, FACTS.md B3). Returned as (path shown, content).
    public func sysctlBootFiles() -> [(path: String, content: String)] {
        SysctlBoot.applied(sysctlBootCandidates()).map { ($0.path, $0.content ?? "") }
    }

    /// The values the next boot applies: later assignments win; `#` and `;` start comments;
    /// `vm/swappiness` is `vm.swappiness`.
    public func bootSysctl() -> [String: String] {
        var values: [String: String] = [:]
        for (_, content) in sysctlBootFiles() {
            for (key, value) in Self.sysctlAssignments(content) { values[key] = value }
        }
        return values
    }

    static func sysctlAssignments(_ content: String) -> [(String, String)] {
        content.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingWhitespace()
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(";"), let equals = line.firstIndex(of: "=") else { return nil }
            var key = String(line[..<equals]).trimmingWhitespace()
            if key.hasPrefix("-") { key.removeFirst() }
            if let dot = key.firstIndex(where: { $0 == "." || $0 == "/" }), key[dot] == "/" {
                key = String(key.map { $0 == "/" ? "." : ($0 == "." ? "/" : $0) })
            }
            return (key, String(line[line.index(after: equals)...]).trimmingWhitespace())
        }
    }

    /// `systemd-analyze cat-config sysctl.d`: each file under a `# PATH` header, in boot order.
    func catConfigSysctl() -> CommandResult {
        let text = sysctlBootFiles().map { "# \($0.path)\n" + $0.content + ($0.content.hasSuffix("\n") ? "" : "\n") }.joined(
            separator: "\n")
        return .init(exitStatus: 0, output: text)
    }

    /// `sysctl --system` (procps): applies the files in order, then /etc/sysctl.conf again,
    /// last (FACTS.md B2: procps differs from systemd-sysctl here).
    mutating func sysctlSystem(as user: String) -> CommandResult {
        guard user == "root" else { return Self.denied("sysctl: permission denied on key \"vm.swappiness\"") }
        var output = ""
        var files = sysctlBootFiles()
        if let conf = self.files["/etc/sysctl.conf"]?.content { files.append(("/etc/sysctl.conf", conf)) }
        for (path, content) in files {
            output += "* Applying \(path) ...\n"
            for (key, value) in Self.sysctlAssignments(content) {
                if key == "vm.swappiness", let number = Int(value) { swappiness = number }
                output += "\(key) = \(value)\n"
            }
        }
        return .init(exitStatus: 0, output: output)
    }
}
