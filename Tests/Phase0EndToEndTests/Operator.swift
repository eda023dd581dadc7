import Testing

/// The wizard's prompts, exactly as they appear on screen.
enum Prompt {
    static let confirm = "Run this? [y]es / [n]o / [e]xplain / [?] help / [q]uit: "
    /// In an optional step (Step 1) every confirmation also offers skip.
    static let confirmOrSkip = "Run this? [y]es / [n]o / [s]kip / [e]xplain / [?] help / [q]uit: "
    static let installMosh = "Install mosh? (optional: SSH + tmux attach works fine without it) [y]es / [n]o / [s]kip / [e]xplain / [?] help / [q]uit: "
    static let operatorTask = "When done, press Enter to re-check ([e]xplain / [?] help / [q]uit): "
    static let observations = [
        "1. Did you close the laptop lid and leave it closed for 5 minutes? [y]es / [n]o / [e]xplain / [?] help / [q]uit: ",
        "2. With the laptop lid closed, did a chat on your phone at the Serve URL get a reply? [y]es / [n]o / [e]xplain / [?] help / [q]uit: ",
        "3. After SSHing back, did attaching to the agent's tmux session (the command in 3. above) show the TUI intact? [y]es / [n]o / [e]xplain / [?] help / [q]uit: ",
    ]
    static let review = "Enter to go on, or a number or key to change, [?] help / [q]uit: "
}

/// The guide's defaults, as each step asks for them.
enum Defaults {
    static let step0 = [("Swapfile path", "/swapfile"), ("Swapfile size", "128G"), ("vm.swappiness", "10")]
    static let step2 = [
        ("User that runs the agent", "vybnz69"), ("Home directory of that user", "/home/vybnz69"),
        ("Agent directory (holds tui.py)", "/home/vybnz69/Vybn/spark"),
        ("Python of the agent's venv", "/home/vybnz69/.venv/spark/bin/python"), ("tmux session name", "vybn"),
        ("systemd unit name", "vybn-agent.service"), ("Ollama's systemd unit", "ollama.service"),
        ("Ollama's URL", "http://127.0.0.1:11434"), ("Model the agent uses (one Ollama serves)", "vybn:latest"),
    ]
    /// Step 3 asks the network last (answered with Tab completion); Ollama's URL was given in Step 2.
    static let step3 = [
        ("Open WebUI image", "ghcr.io/open-webui/open-webui:main"), ("Container name", "open-webui"),
        ("Data volume name", "open-webui"), ("Port on 127.0.0.1 for Open WebUI", "3000"),
    ]
    static let network = "Container network (auto, host, bridge) [auto]: "
}

/// Step 0 on an ext4 root: the fallocate route. btrfs shows truncate, chattr +C, fallocate.
let fallocateRoute = ["sudo fallocate -l 128G /swapfile"]
let btrfsRoute = ["sudo truncate -s 0 /swapfile", "sudo chattr +C /swapfile", "sudo fallocate -l 128G /swapfile"]

/// The loopback-only host-network variant: Ollama on 127.0.0.1 cannot be reached through host-gateway.
let hostNetworkRun = "sudo docker run --detach --name=open-webui --restart=always --memory=2g --memory-swap=4g --network=host --env=HOST=127.0.0.1 --env=PORT=3000 --env=OLLAMA_BASE_URL=http://127.0.0.1:11434 "
/// The guide's own route, when Ollama listens where the docker0 bridge reaches it.
let bridgeRun = "sudo docker run --detach --name=open-webui --restart=always --memory=2g --memory-swap=4g --publish=127.0.0.1:3000:8080 --add-host=host.docker.internal:host-gateway --env=OLLAMA_BASE_URL=http://host.docker.internal:11434 "

/// Every change command of a whole practice run on the guide's Spark, in order, each once.
/// An entry ending in "..." matches a line starting with the rest (the docker run carries a hash).
let fullRunHistory = [
    "sudo fallocate -l 128G /swapfile", "sudo chmod 600 /swapfile", "sudo mkswap /swapfile", "sudo swapon /swapfile",
    "sudo sysctl -w vm.swappiness=10",
    "sudo install -m 0644 /dev/stdin /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new  <<< (3 lines on stdin)",
    "sudo mv -f /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new /etc/sysctl.d/99-zz-phase0-swappiness.conf",
    "sudo cp -p --no-clobber /etc/fstab /etc/fstab.phase0-backup.1",
    "sudo install -m 0644 /dev/stdin /etc/fstab.phase0-new  <<< (7 lines on stdin)",
    "sudo mv -f /etc/fstab.phase0-new /etc/fstab",
    "sudo apt-get update", "sudo apt-get install -y mosh",
    "sudo install -m 0644 /dev/stdin /etc/systemd/system/vybn-agent.service.phase0-new  <<< ...",
    "sudo mv -f /etc/systemd/system/vybn-agent.service.phase0-new /etc/systemd/system/vybn-agent.service",
    "sudo systemctl daemon-reload", "sudo systemctl enable vybn-agent.service", "sudo systemctl start vybn-agent.service",
    "sudo docker pull ghcr.io/open-webui/open-webui:main",
    hostNetworkRun + "...",
    "sudo tailscale serve --bg 3000",
    "sudo docker stop open-webui", "sudo docker start open-webui",
]

/// Whether `history` is `expected` line for line (see fullRunHistory for "...").
func historyMatches(_ history: [String], _ expected: [String]) -> Bool {
    history.count == expected.count && zip(history, expected).allSatisfy { line, wanted in
        wanted.hasSuffix("...") ? line.hasPrefix(String(wanted.dropLast(3))) : line == wanted
    }
}

/// An operator at the keyboard of a practice run on the guide's simulated Spark: waits for
/// each prompt as it comes and answers as a person would (Enter for the defaults, y for each
/// command after reading it, Tab to complete a choice). Every expectation is in screen order,
/// so a missing, extra or reordered prompt fails the test.
struct Operator {
    let terminal: PTYSession

    func see(_ text: String) throws { try terminal.expect(text) }

    /// Enter at each question: the default shown in brackets is taken.
    func acceptDefaults(_ questions: [(String, String)]) throws {
        for (question, value) in questions {
            try see("\(question) [\(value)]: ")
            terminal.send("\r")
        }
    }

    /// The review screen of a new run: each change typed as its key, then its value; then
    /// Enter takes every value shown, so no step asks again.
    func review(changing changes: [(key: String, prompt: String, value: String)] = []) throws {
        try see("The values this run will use")
        for change in changes {
            try see(Prompt.review)
            terminal.send(change.key + "\r")
            try see(change.prompt)
            terminal.send(change.value + "\r")
            try see("The values this run will use")
        }
        try see(Prompt.review)
        terminal.send("\r")
    }

    /// Sees the commands an action will run, then its confirmation; answers y and sees it done.
    func confirm(_ commands: [String], done title: String, prompt: String = Prompt.confirm, typing answer: String = "y\r") throws {
        for command in commands { try seeCommand(command) }
        try see(prompt)
        terminal.send(answer)
        try see("[done] " + title)
    }

    /// A command as the wizard shows it: on one line when it fits the terminal after its
    /// indent, else `sudo program verb \` then one argument a line.
    /// An entry ending in a space is the start of a longer command (docker run's label carries
    /// a hash): shown one argument a line.
    func seeCommand(_ command: String) throws {
        guard command.hasSuffix(" ") || "       $ ".count + command.count > terminal.columns else { return try see("$ " + command) }
        let words = command.split(separator: " ").map(String.init)
        let headCount = words.first == "sudo" ? 3 : 2
        try see("$ " + words.prefix(headCount).joined(separator: " ") + " \\")
        for word in words.dropFirst(headCount) { try see(word) }
    }

    func step0(allocation: [String] = fallocateRoute, filesystem: String = "ext4") throws {
        try see("== Step 0 of 5: Expand swap (required) ==")
        try see("Swap gate: 16G of the required 64G (not yet)")
        try see("/swapfile goes on \(filesystem) with 3.2T free")
        try confirm(allocation, done: "Allocate the swapfile: 128G")
        try confirm(["sudo chmod 600 /swapfile"], done: "Make the swapfile readable by root only")
        try confirm(["sudo mkswap /swapfile"], done: "Write the swap signature (mkswap)")
        try confirm(["sudo swapon /swapfile"], done: "Turn the swapfile on (swapon)")
        try confirm(["sudo sysctl -w vm.swappiness=10"], done: "Lower swappiness now")
        try confirm(["sudo mv -f /etc/sysctl.d/99-zz-phase0-swappiness.conf.phase0-new /etc/sysctl.d/99-zz-phase0-swappiness.conf"],
                    done: "Keep swappiness after reboot (/etc/sysctl.d/99-zz-phase0-swappiness.conf)")
        try see("[not needed] Make swappiness win at boot (edit the sysctl.d file that overrides it): 10, from /etc/sysctl.d/99-zz-phase0-swappiness.conf")
        try confirm(["sudo cp -p --no-clobber /etc/fstab /etc/fstab.phase0-backup.1", "sudo mv -f /etc/fstab.phase0-new /etc/fstab"],
                    done: "Keep the swapfile after reboot (/etc/fstab)")
        try see("[done] Step 0 verified:")
    }

    func step1() throws {
        try see("== Step 1 of 5: Install mosh (optional) ==")
        // Facts before the question: what is installed, then whether to install.
        try see("mosh: not installed")
        try see("Firewall: ufw is inactive, so no rule is needed for mosh.")
        try see(Prompt.installMosh)
        terminal.send("y\r")
        try confirm(["sudo apt-get update", "sudo apt-get install -y mosh"], done: "Install mosh (apt-get)", prompt: Prompt.confirmOrSkip)
        try see("[not needed] Allow mosh's UDP 60000:61000/udp in ufw (only when ufw is active): ufw is inactive; no rule needed")
        try see("[done] Step 1 verified:")
    }

    /// The questions and report of Step 2, up to its first confirmation.
    func step2Questions(tmux: String = "tmux -L vybn for vybnz69: no server running") throws {
        try see("== Step 2 of 5: Run the agent under systemd, in tmux ==")
        try see(tmux)
    }

    static let unitFile = ["sudo mv -f /etc/systemd/system/vybn-agent.service.phase0-new /etc/systemd/system/vybn-agent.service"]

    func step2() throws {
        try step2Questions()
        try confirm(Operator.unitFile, done: "Install the unit file (mode 0644): as rendered, 0644")
        try confirm(["sudo systemctl daemon-reload"], done: "Have systemd read the unit (daemon-reload)")
        try confirm(["sudo systemctl enable vybn-agent.service"], done: "Enable the unit at boot: enabled")
        try see("[not needed] Stop the agent running outside the unit (one agent instance)")
        try see("[not needed] Stop the tmux server on the agent's socket that the unit did not start")
        try step2Start()
    }

    func step2Start() throws {
        try confirm(["sudo systemctl start vybn-agent.service"], done: "Start the service (and its tmux session): tmux -L vybn attach -t vybn (as vybnz69)")
        try see("[done] Step 2 verified:")
    }

    /// Step 3's questions were answered at the review.
    func step3Questions() throws {
        try see("== Step 3 of 5: Deploy Open WebUI (memory-limited) ==")
    }

    func step3(network: String = "Network: host network: Ollama listens on 127.0.0.1:11434 only", run: String = hostNetworkRun) throws {
        try step3Questions()
        try see("Docker: daemon 28.2.2 answers")
        try see(network)
        try step3Container(run: run)
    }

    /// Step 3's actions. `replacing`: how the wizard describes a container of that name that it
    /// did not make; it is removed (after a y) before the rendered one runs.
    /// `resumed`: a run that stopped in Step 3 goes on; what it found or did then is "[ok]".
    func step3Container(run: String = hostNetworkRun, replacing: String? = nil, resumed: Bool = false) throws {
        let settled = resumed ? "[ok]" : "[not needed]"
        try see("\(settled) Start the Docker daemon: server 28.2.2")
        try see("\(settled) Start Docker at boot: enabled")
        if resumed {
            try see("[ok] Pull the Open WebUI image: present")
        } else {
            try confirm(["sudo docker pull ghcr.io/open-webui/open-webui:main"], done: "Pull the Open WebUI image: present")
        }
        if let replacing {
            try see("  -> Remove the existing container (its volume and data stay)")
            try see("Container open-webui: \(replacing).")
            try see("It is replaced by the container of the rendered command below; volume open-webui is kept.")
            try confirm(["sudo docker rm -f open-webui"], done: "Remove the existing container (its volume and data stay)")
        } else {
            try see("[not needed] Remove the existing container (its volume and data stay)")
        }
        try confirm([run], done: "Run Open WebUI (memory-capped, loopback only)")
        try see("[not needed] Wait for Open WebUI to answer /health (up to 5 minutes): healthy")
        try registerFirstAccount()
        try see("[done] Step 3 verified:")
    }

    /// Open WebUI has no account yet: the wizard waits, and pressing Enter has the simulated
    /// operator register it through the SSH tunnel the wizard shows.
    func registerFirstAccount() throws {
        try see("-> Register the first account now (it becomes admin)")
        try see("ssh -L 3000:127.0.0.1:3000 vybnz69@spark-2b7c")
        try see(Prompt.operatorTask)
        terminal.send("\r")
        try see("(practice) You registered the first account")
        try see("[done] Register the first account now (it becomes admin)")
    }

    func step4() throws {
        try see("== Step 4 of 5: Expose Open WebUI via Tailscale Serve ==")
        try see("[ok] Open WebUI has its first account (before anything is exposed)")
        try see("[ok] Connect the Spark to your tailnet: spark-2b7c.tail2b7c.ts.net")
        try see("[ok] Enable HTTPS for your tailnet (admin console)")
        try step4Serve()
    }

    func step4Serve() throws {
        try confirm(["sudo tailscale serve --bg 3000"], done: "Serve Open WebUI on the tailnet (tailscale serve --bg): https://spark-2b7c.tail2b7c.ts.net -> http://127.0.0.1:3000")
        try see("[done] Step 4 verified:")
    }

    /// The three observations answered yes (the first typed "ye" + Tab), then check 4 confirmed.
    func step5() throws {
        try see("== Step 5 of 5: The Unplug Protocol (success test) ==")
        try see("2. Meanwhile, on your phone with Tailscale connected, open https://spark-2b7c.tail2b7c.ts.net and chat")
        for (index, question) in Prompt.observations.enumerated() {
            try see(question)
            terminal.send(index == 0 ? "ye\t" : "yes")
            try see("yes")
            terminal.send("\r")
            try see("[done] Unplug check \(index + 1): ")
        }
        try see("[not needed] Note the agent's tmux session before check 4")
        try confirm(["sudo docker stop open-webui", "sudo docker start open-webui"],
                    done: "Unplug check 4: stop and start Open WebUI; the agent's tmux session must survive: tmux session vybn survived")
        try see("[ok] Unplug check 5: detach from tmux; Open WebUI keeps running")
        try see("[done] Step 5 verified:")
    }

    /// The end of a complete run: the line, then exit 0.
    func complete() throws {
        try see("Phase 0 complete: all steps done and verified.")
        try see("What Phase 0 does not do (Phase 1+, in the guide's words):")
        try see("cd /home/vybnz69/Vybn && git pull")
        let code = try terminal.waitForExit()
        #expect(code == 0, "\(terminal.unread)")
    }

    /// Ctrl-C at whatever prompt is showing: the progress is kept, exit 130.
    func interrupt(statePath: String) throws {
        terminal.send("\u{03}")
        try see("Interrupted.")
        try see("Progress is saved in \(statePath).")
        try see("`phase0 --practice` again to resume where it stopped")
        #expect(try terminal.waitForExit() == 130)
    }
}
