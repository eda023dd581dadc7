import Phase0Core
import Phase0Parsers

/// A scenario applied to the simulated Spark (the keys are documented in README, "Practice
/// mode and scenarios").
extension Scenario {
    /// The guide's Spark with this scenario's changes.
    public func apply(to base: SimulatedSpark = SimulatedSpark()) -> SimulatedSpark {
        var machine = base
        if let hostname { machine.hostname = hostname }
        if let total = memory?.totalGiB { machine.memTotalKiB = Int64(total * 1024 * 1024) }
        if let available = memory?.availableMiB { machine.memAvailableKiB = Int64(available * 1024) }
        if let swaps {
            machine.swaps = swaps.enumerated().map { index, swap in
                SwapArea(
                    path: swap.path, type: "file", sizeKiB: Int64(swap.sizeGiB * 1024 * 1024) - 4,
                    usedKiB: Int64((swap.usedGiB ?? 0) * 1024 * 1024), priority: swap.priority ?? (-2 - index))
            }
            for swap in swaps where machine.files[swap.path] == nil {
                machine.files[swap.path] = SimFile(
                    content: nil, mode: 0o600, size: Int64(swap.sizeGiB * 1024 * 1024 * 1024), swapSignature: true)
            }
        }
        if let type = filesystem?.type { machine.mounts[0].fstype = type }
        if let free = filesystem?.freeGiB { machine.mounts[0].availBytes = Int64(free * 1024 * 1024 * 1024) }
        for (program, installed) in (programs ?? [:]).sorted(by: { $0.key < $1.key }) {
            machine.programs.removeAll { $0 == program }
            if installed { machine.programs.append(program) }
        }
        for (name, state) in services ?? [:] {
            if state == "missing" {
                machine.services[name] = nil
            } else {
                machine.services[name] = SimService(active: state == "active", enabled: machine.services[name]?.enabled ?? true)
            }
        }
        if let dockerDaemon {
            machine.docker.daemonRunning = dockerDaemon
            machine.services["docker.service"]?.active = dockerDaemon
        }
        if let ollamaListen { machine.ollama.listen = ollamaListen }
        if let ollamaModels { machine.ollama.models = ollamaModels }
        for name in tmuxSessions ?? [] {
            machine.tmuxSessions.append(SimTmuxSession(user: machine.operatorUser, name: name, fromUnit: nil))
        }
        for container in containers ?? [] {
            let image = container.image ?? "ghcr.io/open-webui/open-webui:main"
            let running = container.running ?? true
            machine.docker.containers.append(
                SimContainer(
                    name: container.name, image: image, running: running,
                    argv: [], labels: [:], memoryBytes: 0, starts: running ? 1 : nil))
            if !machine.docker.images.contains(image) { machine.docker.images.append(image) }
        }
        if let tailscale {
            if let installed = tailscale.installed {
                machine.programs.removeAll { $0 == "tailscale" }
                if installed { machine.programs.append("tailscale") }
            }
            if let connected = tailscale.connected { machine.tailscale.connected = connected }
            if let https = tailscale.httpsEnabled { machine.tailscale.httpsEnabled = https }
        }
        if let ufwActive { machine.ufw.active = ufwActive }
        for (path, content) in files ?? [:] { machine.files[path] = SimFile(content: content, mode: 0o644) }
        for path in removeFiles ?? [] { machine.files[path] = nil }
        for (socket, names) in (tmuxSessionsOnSocket ?? [:]).sorted(by: { $0.key < $1.key }) {
            for name in names {
                machine.tmuxSessions.append(SimTmuxSession(user: machine.operatorUser, name: name, fromUnit: nil, socket: socket))
            }
        }
        if let webuiAccounts { machine.webuiAccounts = webuiAccounts }
        if dockerGroup == true { machine.dockerGroup = [machine.operatorUser] }
        if let session = phase0InTmux {
            if !machine.tmuxSessions.contains(where: { $0.name == session && $0.socket == nil }) {
                machine.tmuxSessions.append(SimTmuxSession(user: machine.operatorUser, name: session, fromUnit: nil, attachedClients: 1))
            }
            machine.phase0Tmux = session
        }
        for (index, entry) in (runningByHand ?? []).enumerated() {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            let home = machine.users.first { $0.name == machine.operatorUser }?.home ?? "/home/\(machine.operatorUser)"
            machine.handProcesses =
                (machine.handProcesses ?? []) + [
                    SimProcess(
                        pid: 3100 + index, user: machine.operatorUser,
                        commandLine: "\(home)/.venv/spark/bin/python \(home)/Vybn/spark/\(parts[0])",
                        tmuxSession: parts.count == 2 ? parts[1] : nil)
                ]
        }
        machine.programs.sort()
        return machine
    }
}
