import Foundation
import Phase0Parsers
@testable import Phase0Practice

extension SimulatedSpark {
    /// The guide's Spark changed as a scenario file would change it.
    public static func with(_ json: String) throws -> SimulatedSpark {
        try JSONDecoder().decode(Scenario.self, from: Data(json.utf8)).apply()
    }
}

/// The simulated Spark as it is after Step 0 (a 128G swapfile, active and in /etc/fstab, with
/// /swap.img retired), so the swap gate lets Steps 1–5 run, now and after a reboot. The
/// operator registered Open WebUI's first account (these tests are not about that), unless a
/// scenario says how many accounts there are.
public func sparkAfterStep0() -> SimulatedSpark { withSwapfile(SimulatedSpark()) }

/// The same, changed by `change` (after Step 0's effects and the first account).
public func sparkAfterStep0(_ change: (inout SimulatedSpark) -> Void) -> SimulatedSpark {
    var machine = sparkAfterStep0()
    change(&machine)
    return machine
}

/// The same on the Spark a scenario file describes.
public func sparkAfterStep0(scenario json: String) throws -> SimulatedSpark { withSwapfile(try .with(json)) }

private func withSwapfile(_ spark: SimulatedSpark) -> SimulatedSpark {
    var machine = spark
    completeStep0(&machine)
    if machine.webuiAccounts == nil { machine.webuiAccounts = 1 }
    return machine
}

/// What Step 0 leaves on a simulated Spark: the swapfile active and persisted.
public func completeStep0(_ machine: inout SimulatedSpark) {
    machine.swaps.append(SwapArea(path: "/swapfile", type: "file", sizeKiB: 128 * 1024 * 1024 - 4, usedKiB: 0, priority: -3))
    machine.files["/swapfile"] = SimFile(content: nil, mode: 0o600, size: 128 * 1024 * 1024 * 1024, swapSignature: true)
    let fstab = machine.files["/etc/fstab"]?.content ?? ""
    machine.files["/etc/fstab"]?.content = Fstab.ensureSwapfile(in: fstab, swapfile: "/swapfile").text
}

/// The Spark after Steps 2–3: the agent's tmux session runs under its unit, Open WebUI's
/// container runs with the guide's command (host-gateway route, 127.0.0.1:3000).
public func sparkAfterStep3() -> SimulatedSpark {
    var machine = sparkAfterStep0()
    machine.services["vybn-agent.service"] = SimService(active: true, enabled: true)
    machine.files["/etc/systemd/system/vybn-agent.service"] = SimFile(content: "[Unit]\n", mode: 0o644)
    machine.tmuxSessions = [SimTmuxSession(user: "vybnz69", name: "vybn", fromUnit: "vybn-agent.service", socket: "vybn")]
    machine.docker.images = ["ghcr.io/open-webui/open-webui:main"]
    machine.docker.containers = [
        SimContainer(
            name: "open-webui", image: "ghcr.io/open-webui/open-webui:main", running: true,
            argv: [
                "docker", "run", "-d", "-p", "127.0.0.1:3000:8080", "--add-host=host.docker.internal:host-gateway",
                "-e", "OLLAMA_BASE_URL=http://host.docker.internal:11434", "--memory=2g", "--memory-swap=4g",
                "-v", "open-webui:/app/backend/data", "--name", "open-webui", "--restart", "always",
                "ghcr.io/open-webui/open-webui:main",
            ],
            labels: [:], memoryBytes: 2 * 1024 * 1024 * 1024)
    ]
    return machine
}

/// Step 0's change commands on the guide's Spark, in order, as shown and run.
public let step0Commands = [
    "sudo fallocate -l 128G /swapfile",
    "sudo chmod 600 /swapfile",
    "sudo mkswap /swapfile",
    "sudo swapon /swapfile",
    "sudo sysctl -w vm.swappiness=10",
    "sudo install -m 0644 /dev/stdin /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new  <<< (3 lines on stdin)",
    "sudo mv -f /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new /etc/sysctl.d/99-zz-phase0-swappiness.conf",
    "sudo cp -p --no-clobber /etc/fstab /etc/fstab.phase0-backup.1",
    "sudo install -m 0644 /dev/stdin /etc/fstab.phase0-new  <<< (7 lines on stdin)",
    "sudo mv -f /etc/fstab.phase0-new /etc/fstab",
]
