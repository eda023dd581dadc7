import Phase0Core
import Phase0Parsers

/// What the practice operator does outside the terminal. A live operator task (enable HTTPS in
/// the Tailscale admin console, log the Spark in, detach from tmux) is done by a person; in
/// practice, pressing Enter at "When done, press Enter to re-check" does it on the simulated
/// Spark, and the wizard then re-checks as it would live. The ids are the actions' ids.
extension SimulatedSpark {
    /// Performs the task `id` and says what the simulated operator did (nil: nothing to do).
    public mutating func performOperatorTask(_ id: String) -> String? {
        switch id {
        case "https-enabled":
            guard !tailscale.httpsEnabled else { return nil }
            tailscale.httpsEnabled = true
            return "(practice) You enabled HTTPS certificates for the simulated tailnet on https://login.tailscale.com/admin/dns."
        case "tailscale-connected":
            guard !tailscale.connected else { return nil }
            tailscale.connected = true
            services["tailscaled.service"]?.active = true
            return "(practice) You ran `sudo tailscale up` and logged the simulated Spark in to your tailnet."
        case "first-account", "webui-owner":
            // Only a page that answers can be signed up on.
            guard (webuiAccounts ?? 0) == 0, docker.daemonRunning,
                docker.containers.contains(where: { $0.running && webUIListener($0) != nil })
            else { return nil }
            webuiAccounts = 1
            return
                "(practice) You registered the first account through the SSH tunnel (http://127.0.0.1:3000): it is the admin; sign-up is now closed."
        case "unplug-5-detached":
            guard tmuxSessions.contains(where: { $0.attachedClients > 0 }) else { return nil }
            for index in tmuxSessions.indices { tmuxSessions[index].attachedClients = 0 }
            return "(practice) You pressed Ctrl-B D in your tmux window: detached; the agent keeps running."
        default:
            return nil
        }
    }
}
