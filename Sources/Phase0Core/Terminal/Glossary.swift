import Phase0Parsers

/// The words the wizard, the guide and the drills use, each explained in two or three lines
/// in the guide's spirit. `phase0 glossary [TERM]` prints them; `?` at a prompt explains the
/// ones on screen (EngineQuestions, EngineActions, the drill prompt).
public enum Glossary {
    public struct Entry: Equatable, Sendable {
        public var term: String
        /// Other ways the screen writes it (matched without regard to case).
        public var aliases: [String]
        public var text: String
    }

    public static let entries: [Entry] = [
        Entry(
            term: "swap", aliases: ["swapfile", "swap area", "swapon", "mkswap", "/swap.img"],
            text: """
                Disk space the kernel uses as overflow memory. The 229B model fills the Spark's 121 GB, so anything else
                (Docker, Open WebUI) only fits if idle pages can move to swap; without enough of it the OOM killer
                picks a victim, often the model. Step 0 adds a 128G /swapfile.
                """),
        Entry(
            term: "swappiness", aliases: ["vm.swappiness", "sysctl"],
            text: """
                How eagerly the kernel moves pages to swap (0-200; Ubuntu's default is 60). The guide sets 10: keep the
                model in RAM and swap only under pressure. `sysctl -w` changes it now; a file in /etc/sysctl.d keeps it
                after a reboot, and the file applied last wins (`systemd-analyze cat-config sysctl.d` shows the order).
                """),
        Entry(
            term: "unified memory", aliases: ["memavailable", "unified"],
            text: """
                The Spark's CPU and GPU share one 128 GB pool, so the model's weights count as ordinary used memory.
                "used" in free -h tells little; MemAvailable (what can still be had without swapping) and free swap do.
                """),
        Entry(
            term: "OOM killer", aliases: ["oom", "out of memory", "oom-kill", "oom kill"],
            text: """
                The kernel's last resort when memory and swap run out: it kills the process whose death frees the most
                (on the Spark, usually the model or the agent). `sudo dmesg | grep -i oom` shows what it killed and when.
                """),
        Entry(
            term: "systemd unit", aliases: ["unit", "systemctl", "vybn-agent.service", ".service", "daemon-reload", "journalctl"],
            text: """
                A file under /etc/systemd/system telling systemd how to start, stop and restart a service. `systemctl
                enable` starts it at every boot, `systemctl status` and `journalctl -u NAME` say what it did and why it failed.
                """),
        Entry(
            term: "Type=forking", aliases: ["forking"],
            text: """
                The unit's start command forks a long-lived process and exits: `tmux new-session -d` starts the tmux
                server in the background and returns. systemd then watches that server as the service's main process.
                """),
        Entry(
            term: "Restart=", aliases: ["restart=always", "restart=on-failure", "restartsec"],
            text: """
                When systemd brings a service back. When tui.py dies, its tmux server exits with status 0, so the guide's
                Restart=on-failure would never restart it; phase0 writes Restart=always with RestartSec=10.
                """),
        Entry(
            term: "tmux server / session", aliases: ["tmux", "tmux server", "tmux session", "tmux attach", "session 'vybn'"],
            text: """
                A tmux server runs in the background and holds sessions; a session keeps a program (tui.py) running with no
                terminal attached. `tmux attach -t vybn` shows it, Ctrl-B D detaches and leaves it running. A server you
                start by hand captures every later `new-session` of that user, including the unit's.
                """),
        Entry(
            term: "docker memory caps", aliases: ["--memory", "--memory-swap", "memory-capped", "memory cap", "docker stats"],
            text: """
                `--memory=2g` is the most RAM the container may use; `--memory-swap=4g` is RAM plus swap together. Past
                them the container is reclaimed or killed, not the model. `docker stats --no-stream` shows use / limit.
                """),
        Entry(
            term: "host-gateway vs host network",
            aliases: ["host-gateway", "host.docker.internal", "--network=host", "host network", "bridge"],
            text: """
                A bridge container reaches the Spark through `host.docker.internal:host-gateway`, the docker0 address, which
                only reaches services listening on all addresses. Ollama listens on 127.0.0.1, so phase0 uses
                `--network=host` with HOST=127.0.0.1: the container shares the Spark's loopback and stays private.
                """),
        Entry(
            term: "tailnet", aliases: ["tailscale", "tailscale status"],
            text: """
                Your private Tailscale network: the Spark, the laptop and the phone, each signed in to the same account.
                Only devices on the tailnet can reach the Serve URL; nothing is opened to the internet.
                """),
        Entry(
            term: "MagicDNS", aliases: ["ts.net", "magic dns"],
            text: """
                Tailscale's names for tailnet devices: spark-2b7c.<tailnet>.ts.net instead of a 100.x address. Serve's
                HTTPS certificate is issued for that name, which is why the admin page must enable HTTPS.
                """),
        Entry(
            term: "Tailscale Serve", aliases: ["serve", "tailscale serve", "serve status", "https"],
            text: """
                Tailscale's reverse proxy: `tailscale serve --bg 3000` publishes http://127.0.0.1:3000 as
                https://<spark>.<tailnet>.ts.net to the tailnet only. It needs HTTPS enabled for the tailnet; without it,
                it prints an enable URL and serves nothing. `tailscale serve status` shows what is served.
                """),
        Entry(
            term: "the 64G gate", aliases: ["gate", "64g", "swap gate", "64 gb"],
            text: """
                phase0's hard rule: nothing after Step 0 runs while total swap is under 64G (less one header page per
                swap area). The guide: without it, Docker + Open WebUI trigger the OOM killer and crash the model.
                """),
    ]

    /// The entry for `term` (its name or an alias, any case), or nil.
    public static func entry(_ term: String) -> Entry? {
        let wanted = term.trimmingWhitespace().lowercased()
        return entries.first { $0.term.lowercased() == wanted || $0.aliases.contains(wanted) }
            ?? entries.first { wanted.count >= 3 && contains(word: wanted, in: $0.term.lowercased()) }
    }

    /// The entries whose term or an alias appears as a word in `text` (what is on screen), in
    /// glossary order: "serve" is found in "tailscale serve", not in "reserved".
    public static func entries(in text: String) -> [Entry] {
        let lower = text.lowercased()
        return entries.filter { entry in ([entry.term] + entry.aliases).contains { contains(word: $0.lowercased(), in: lower) } }
    }

    static func contains(word: String, in text: String) -> Bool {
        func isWordCharacter(_ character: Character?) -> Bool { character.map { $0.isLetter || $0.isNumber } ?? false }
        var rest = text[...]
        while let found = rest.firstRange(of: word) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !(isWordCharacter(word.first) && isWordCharacter(before)) && !(isWordCharacter(word.last) && isWordCharacter(after)) {
                return true
            }
            rest = text[text.index(after: found.lowerBound)...]
        }
        return false
    }

    public static func render(_ entry: Entry, indent: String = "  ") -> String {
        "\(indent)\(entry.term)\n" + entry.text.split(separator: "\n").map { indent + "    " + $0 }.joined(separator: "\n") + "\n"
    }

    /// The words on screen, explained, for `?` at a prompt; "" when none is in the glossary.
    public static func explainTerms(in text: String, indent: String = "     ") -> String {
        let found = entries(in: text)
        guard !found.isEmpty else { return "" }
        return "\(indent)Words on this screen (phase0 glossary lists them all):\n"
            + found.map { render($0, indent: indent + "  ") }.joined()
    }
}
