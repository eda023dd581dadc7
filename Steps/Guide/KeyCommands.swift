import Phase0Core
import Phase0Parsers

/// `phase0 reference`: the guide's "Key Commands Reference", filled in with the operator's
/// answers (unit, session, container, port), or the guide's defaults where none were given.
public enum KeyCommands {
    public static func render(_ a: GuideAnswers, hostName: String, serveURL: String?, docker: DockerAccess = .sudo) -> String {
        let unit = shellQuote(a.unitName)
        let session = shellQuote(a.tmuxSession)
        let container = shellQuote(a.webuiContainer)
        let sudoDocker = docker.prefix + "docker"
        let port = a.webuiPort
        func line(_ command: String, _ comment: String? = nil) -> String {
            guard let comment else { return command + "\n" }
            return command.padding(max(24, command.count + 2)) + "# " + comment + "\n"
        }
        var text = "# Key commands for Phase 0 on \(hostName): unit \(a.unitName), tmux session \(a.tmuxSession) of \(a.user),\n"
        text += "# container \(a.webuiContainer) on 127.0.0.1:\(port)" + (serveURL.map { ", served at \($0)" } ?? "") + "\n\n"
        text += "# Service management\n"
        for verb in ["start", "stop", "restart", "status"] { text += line("sudo systemctl \(verb) \(unit)") }
        text += line("sudo journalctl -u \(unit) -f")
        text +=
            "\n# tmux (as \(a.user)): the agent's server has its own socket (-L \(a.tmuxSession)); plain `tmux attach` looks in your own tmux\n"
        text += line("tmux -L \(session) attach -t \(session)", "attach to agent session")
        text += line("# Ctrl-B D", "detach (agent keeps running)")
        text += line("tmux -L \(session) ls", "list the agent's sessions (plain `tmux ls`: your own)")
        text += "\n# Docker (Open WebUI)" + (docker == .sudo ? ": \(a.user) is not in the docker group, so sudo" : "") + "\n"
        text += line("\(sudoDocker) logs \(container)")
        text += line("\(sudoDocker) stats \(container) --no-stream", "check memory usage")
        for verb in ["restart", "stop", "start"] { text += line("\(sudoDocker) \(verb) \(container)") }
        text += "\n# Tailscale (serve changes need root, or once: sudo tailscale set --operator=\(a.user))\n"
        text += line("tailscale serve status")
        text += line("sudo tailscale serve --bg \(port)", "https://<spark>.<tailnet>.ts.net -> 127.0.0.1:\(port)")
        text += line("sudo tailscale serve --https=443 off", "the guide's `tailscale serve off`")
        if let serveURL { text += line("# phone: \(serveURL)", "open on the phone, Tailscale connected") }
        text += "\n# Memory monitoring\n"
        text += line("free -h", "RAM + swap overview")
        text += line("vmstat 1 5", "si/so columns show swap activity")
        text += line("sudo dmesg | grep -i oom", "check for OOM events")
        text += "\n# When something is wrong: phase0 troubleshoot [service|oom|webui|tailscale]\n"
        return text
    }
}

/// The machine and saved answers for the read-only subcommands (troubleshoot, reference):
/// the resume file is read, never locked or written.
public enum ReadOnlyView {
    public static func open(_ config: WizardConfig) throws -> (host: Host, answers: [String: String]) {
        let view = try config.openReadOnly()
        return (view.host, view.progress?.answers ?? [:])
    }
}
