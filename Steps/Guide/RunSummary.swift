import Phase0Core
import Phase0Parsers

/// What the operator reads before a new run (the plan) and after a complete one (what was
/// done, where it lives, how to undo it, what Phase 0 does not do, where to go next).
public enum RunSummary {
    public static let overview = """

        Phase 0 in six steps (about 20-40 minutes; most of it is waiting for downloads):
          0  Expand swap to at least 64G (128G swapfile)    ~2 min   required
          1  Install mosh, a shell that survives roaming    ~1 min   optional
          2  Run the agent under systemd, inside tmux       ~2 min
          3  Open WebUI in a memory-capped container        ~5-15 min (image pull)
          4  Expose it on your tailnet (Tailscale Serve)    ~2 min
          5  The Unplug Protocol: the guide's five checks   ~10 min (lid closed)
        Have ready: your phone with the Tailscale app, signed in to your tailnet; admin rights on \
        the tailnet (HTTPS certificates are enabled once in its admin console); and a second terminal \
        on your laptop for `ssh -L 3000:127.0.0.1:3000 USER@SPARK`, to create Open WebUI's first \
        account (it becomes admin) before Step 4 exposes the page.
        Nothing changes without asking: every command that changes the machine is shown first, and \
        progress is saved after every action (an SSH drop loses nothing: run phase0 again).
        """

    /// The summary after "Phase 0 complete".
    public static func lines(_ ctx: StepContext) -> [String] {
        let answers = (try? GuideAnswers(ctx.recorded.answers)) ?? nil
        var lines = ["What phase0 set up on \(ctx.host.name):"]
        let files = writtenFiles(ctx)
        if !files.isEmpty {
            lines.append("  Files written (each edit backed up first):")
            for (path, backup) in files { lines.append("    \(path)" + (backup.map { "   (backup: \($0))" } ?? "")) }
        }
        if let a = answers {
            lines.append(
                "  Unit: \(a.unitName), running tmux session \(a.tmuxSession) as \(a.user); attach: \(AgentUnit.attachCommand(session: a.tmuxSession))"
            )
            lines.append("  Container: \(a.webuiContainer), Open WebUI on 127.0.0.1:\(a.webuiPort) (2g RAM, 4g with swap)")
        }
        if case .found(let status) = Probe.tailscaleStatus(ctx.host), let url = status.serveURL {
            lines.append("  Serve URL (phone, Tailscale connected): \(url)")
        }
        lines.append("")
        let mode = ctx.host.isPractice ? " --practice" : ""
        lines.append(
            "To undo: phase0\(mode) undo STEP (0 to 4, or all; --dry-run lists its commands first). It removes only "
                + "what phase0 made, newest step first, and never runs swapoff. By hand, newest first:")
        lines += undoLines(answers).map { "  " + $0 }
        lines += Procedure.epilogue(answers).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("Next: `phase0 reference` (the key commands with your values), `phase0 troubleshoot` when something is wrong.")
        return lines
    }

    /// Every file the steps write that is there now, with the newest backup phase0 made of it.
    static func writtenFiles(_ ctx: StepContext) -> [(String, String?)] {
        var seen: [(String, String?)] = []
        for step in Procedure.steps() where ctx.recorded.step(step.number)?.status == .done {
            for action in step.actions where action.applies(ctx) {
                guard let planned = try? action.plannedFile(ctx), ctx.host.fileExists(planned.path),
                    !seen.contains(where: { $0.0 == planned.path })
                else { continue }
                let newest = AtomicWrite.firstFreeBackup(for: planned.path, host: ctx.host) - 1
                seen.append((planned.path, newest >= 1 ? "\(planned.path).phase0-backup.\(newest)" : nil))
            }
        }
        return seen
    }

    static func undoLines(_ a: GuideAnswers?) -> [String] {
        let unit = a?.unitName ?? "vybn-agent.service"
        let container = a?.webuiContainer ?? AnswerKey.webuiContainer.guideDefault ?? ""
        return [
            "Step 4: sudo tailscale serve --https=443 off",
            "Step 3: docker stop \(container) && docker rm \(container)   (the volume keeps Open WebUI's data)",
            "Step 2: sudo systemctl disable --now \(unit) && sudo rm /etc/systemd/system/\(unit) && sudo systemctl daemon-reload",
            "Step 1: sudo apt remove mosh   (and sudo ufw delete allow 60000:61000/udp if it was added)",
            "Step 0: restore /etc/fstab from its backup and remove phase0's sysctl drop-in; the swapfile stays active until the next reboot",
        ]
    }
}
