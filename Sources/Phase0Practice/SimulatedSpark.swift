import Phase0Core
import Phase0Parsers

/// The simulated DGX Spark of practice mode: the guide's machine, as data. Every command the
/// steps run is interpreted against it with its effect, and it is saved with the progress,
/// so a practice run can be interrupted and resumed like a live one. Nothing here touches
/// the machine phase0 runs on.
public struct SimulatedSpark: Codable, Equatable, Sendable {
    public var hostname = "spark-2b7c"
    public var operatorUser = "vybnz69"
    public var memTotalKiB: Int64 = 121 * 1024 * 1024
    /// The guide: "The 229B model consumes 121 of 121GB RAM, leaving ~230MB free".
    public var memAvailableKiB: Int64 = 230 * 1024
    public var swaps: [SwapArea] = [
        SwapArea(path: "/swap.img", type: "file", sizeKiB: 16 * 1024 * 1024 - 4, usedKiB: 1_782_580, priority: -2)
    ]
    public var swappiness = 60
    public var users: [UserInfo] = [
        UserInfo(name: "root", uid: 0, home: "/root"),
        UserInfo(name: "vybnz69", uid: 1000, home: "/home/vybnz69"),
    ]
    public var files: [String: SimFile] = SimulatedSpark.guideFiles
    public var mounts: [SimMount] = [
        SimMount(target: "/", source: "/dev/nvme0n1p2", fstype: "ext4", availBytes: 3_300 * 1024 * 1024 * 1024)
    ]
    public var programs: [String] = [
        "apt-get", "curl", "docker", "findmnt", "ollama", "python3", "sudo",
        "systemctl", "tailscale", "tmux", "ufw", "journalctl", "dmesg", "vmstat",
        "ip", "ss", "dpkg-query",
    ]
    /// Packages `apt-get install` can fetch (the simulated Spark is online).
    public var aptAvailable: [String] = ["mosh"]
    public var services: [String: SimService] = [
        "ollama.service": SimService(active: true, enabled: true),
        "docker.service": SimService(active: true, enabled: true),
        "tailscaled.service": SimService(active: true, enabled: true),
    ]
    public var ollama = SimOllama()
    public var docker = SimDocker()
    public var tmuxSessions: [SimTmuxSession] = []
    /// Loaded unit files, running units, the journal (SimSystemd.swift).
    public var systemd = SimSystemdState()
    public var tailscale = SimTailscale()
    public var ufw = SimUfw()
    /// Every command that changed the simulated machine, in order: practice's audit trail,
    /// and the torture test's proof that nothing with an effect ran twice.
    public var history: [String] = []
    /// Kernel messages since boot beyond the simulated machine's own physics (an OOM kill a
    /// drill planted); `dmesg` prints them. Optional so older practice files still load.
    public var kernelLog: [String]? = nil
    /// Accounts registered in Open WebUI (its volume; the first becomes admin): 0 or nil means
    /// /api/config says `onboarding`.
    public var webuiAccounts: Int? = nil
    /// Reboots of the simulated Spark (SimBoot.swift).
    public var boots: Int? = nil
    /// Users who may use docker without sudo (the docker group).
    public var dockerGroup: [String]? = nil
    /// The tmux session of the operator's own (default-socket) server that phase0 runs in.
    public var phase0Tmux: String? = nil
    /// Programs started by hand (a tui.py or web_serve.py outside the unit).
    public var handProcesses: [SimProcess]? = nil
    /// The next inode number a new file gets.
    public var nextInode: UInt64? = nil

    public init() {}

    /// A new inode number, as a file system gives one to each new file.
    mutating func newInode() -> UInt64 {
        let inode = nextInode ?? 5_000_001
        nextInode = inode + 1
        return inode
    }

    static let guideFiles: [String: SimFile] = {
        var files: [String: SimFile] = [
            "/etc/fstab": SimFile(
                content: """
                    # /etc/fstab: static file system information.
                    #
                    # <file system>\t<mount point>\t<type>\t<options>\t<dump>\t<pass>
                    UUID=5c8f3f0e-2b7c-4a51-9a43-6d1c1b9e0c11\t/\text4\tdefaults\t0\t1
                    UUID=7A1B-2C3D\t/boot/efi\tvfat\tumask=0077\t0\t1
                    /swap.img\tnone\tswap\tsw\t0\t0

                    """, mode: 0o644),
            "/etc/sysctl.conf": SimFile(content: "# /etc/sysctl.conf - Configuration file for setting system variables\n", mode: 0o644),
            // Debian and Ubuntu: the link that makes systemd-sysctl read /etc/sysctl.conf at boot.
            "/etc/sysctl.d/99-sysctl.conf": SimFile(content: nil, mode: 0o777, linkTarget: "../sysctl.conf"),
            "/swap.img": SimFile(content: nil, mode: 0o600, size: 16 * 1024 * 1024 * 1024, swapSignature: true),
        ]
        for (path, content) in [
            ("/home/vybnz69/Vybn/spark/tui.py", "# Vybn TUI\n"),
            ("/home/vybnz69/Vybn/spark/agent.py", "# Vybn agent\n"),
            ("/home/vybnz69/Vybn/spark/config.yaml", "model: vybn:latest\n"),
        ] {
            files[path] = SimFile(content: content, mode: 0o644, owner: "vybnz69")
        }
        files["/home/vybnz69/.venv/spark/bin/python"] = SimFile(content: nil, mode: 0o755, owner: "vybnz69", size: 16)
        for directory in [
            "/", "/etc", "/etc/systemd", "/etc/systemd/system", "/etc/sysctl.d", "/home", "/home/vybnz69",
            "/home/vybnz69/Vybn", "/home/vybnz69/Vybn/spark", "/home/vybnz69/.venv",
            "/home/vybnz69/.venv/spark", "/home/vybnz69/.venv/spark/bin", "/tmp",
        ] {
            files[directory] = SimFile(
                content: nil, mode: 0o755, owner: directory.hasPrefix("/home/vybnz69") ? "vybnz69" : "root", isDirectory: true)
        }
        return files
    }()
}

public struct SimFile: Codable, Equatable, Sendable {
    /// nil for binary or huge files (a swapfile) whose bytes do not matter.
    public var content: String?
    public var mode: UInt32
    public var owner: String
    public var size: Int64
    public var isDirectory: Bool
    /// What `mkswap` wrote, so swapon can refuse a file that was never prepared.
    public var swapSignature: Bool
    /// Its inode, when the simulation gave it one (files phase0's commands create).
    public var inode: UInt64?
    /// A symbolic link: its target, relative to its directory or absolute.
    public var linkTarget: String?

    public init(
        content: String?, mode: UInt32, owner: String = "root", size: Int64? = nil,
        isDirectory: Bool = false, swapSignature: Bool = false, inode: UInt64? = nil, linkTarget: String? = nil
    ) {
        self.content = content
        self.mode = mode
        self.owner = owner
        self.size = size ?? Int64(content?.utf8.count ?? 0)
        self.isDirectory = isDirectory
        self.swapSignature = swapSignature
        self.inode = inode
        self.linkTarget = linkTarget
    }
}

public struct SimMount: Codable, Equatable, Sendable {
    public var target: String
    public var source: String
    public var fstype: String
    public var availBytes: Int64
}

public struct SimService: Codable, Equatable, Sendable {
    public var active: Bool
    public var enabled: Bool
    /// How often systemd restarted it (NRestarts).
    public var restarts: Int = 0
    public init(active: Bool, enabled: Bool) {
        self.active = active
        self.enabled = enabled
    }
}

public struct SimOllama: Codable, Equatable, Sendable {
    /// Where the API listens; Ollama's default is loopback only.
    public var listen = "127.0.0.1:11434"
    public var models = ["vybn:latest"]
}

public struct SimContainer: Codable, Equatable, Sendable {
    public var name: String
    public var image: String
    public var running: Bool
    /// The full `docker run` argv that created it; how a match is judged.
    public var argv: [String]
    public var labels: [String: String]
    public var memoryBytes: Int64
    public var restartCount: Int = 0
    /// How many times it was started (run, start, restart): docker's State.StartedAt changes at
    /// every start, and Unplug check 4 reads it to tell whether its stop/start happened. Optional
    /// so a practice resume file saved before it existed still loads.
    public var starts: Int? = nil
}

public struct SimDocker: Codable, Equatable, Sendable {
    public var daemonRunning = true
    public var images: [String] = []
    public var containers: [SimContainer] = []
    public var volumes: [String] = []
}

public struct SimTmuxSession: Codable, Equatable, Sendable {
    public var user: String
    public var name: String
    /// Started by the unit (inside its cgroup) rather than by hand.
    public var fromUnit: String?
    public var attachedClients: Int = 0
    /// The server's socket name (`tmux -L NAME`); nil for the default socket.
    public var socket: String? = nil

    public init(user: String, name: String, fromUnit: String?, attachedClients: Int = 0, socket: String? = nil) {
        self.user = user
        self.name = name
        self.fromUnit = fromUnit
        self.attachedClients = attachedClients
        self.socket = socket
    }

    var socketName: String { socket ?? "default" }
}

public struct SimTailscale: Codable, Equatable, Sendable {
    public var connected = true
    public var httpsEnabled = true
    public var dnsName = "spark-2b7c.tail2b7c.ts.net"
    /// The local URL `tailscale serve` proxies to, when serving.
    public var serveProxy: String?
    public var operatorUser: String?
}

public struct SimUfw: Codable, Equatable, Sendable {
    public var active = false
    public var rules: [String] = []
}
