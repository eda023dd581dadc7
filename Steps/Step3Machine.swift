import Phase0Core
import Phase0Parsers

/// Step 3's looks at the machine: the container already there, whether Open WebUI answers,
/// and the facts shown before acting (Step3OpenWebUI.swift holds the step and its actions).
extension OpenWebUIStep {
    // MARK: - Reading the machine

    /// The container of that name: running, and the config hash it was labelled with.
    struct Existing {
        var running: Bool
        var hash: String
        var image: String
    }

    /// Absent only when docker says there is no such container; unknown when docker could not
    /// be asked (no daemon, sudo -n refused): then nothing is removed, replaced or created.
    static func existing(_ ctx: StepContext, _ name: String) -> Lookup<Existing> {
        let format = "{{.State.Running}}|{{index .Config.Labels \"\(WebUIContainer.configLabel)\"}}|{{.Config.Image}}"
        let args = ["inspect", "--type", "container", "--format", format, name]
        return ctx.host.probe(ctx.docker.probe(args), absentWhen: Probe.dockerSaysNoSuch).flatMap { output in
            let fields = output.trimmingWhitespace().split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { return .unknown("docker inspect printed \"\(output.trimmingWhitespace())\"") }
            return .found(Existing(running: fields[0] == "true", hash: fields[1] == "<no value>" ? "" : fields[1], image: fields[2]))
        }
    }

    /// The plan's refusal (bridge answered where it cannot reach Ollama). The check ran first
    /// and computed the plan, so computing it again here does not fail.
    static func planRefusal(_ ctx: StepContext) -> String? { (try? plan(ctx))?.refusal }

    /// The refusal when phase0 cannot tell whether the container exists.
    static func unseenContainer(_ ctx: StepContext) -> String? {
        // settings(ctx) threw already in the check, which runs first, if the answers cannot be used.
        guard let name = try? settings(ctx).container, case .unknown(let why) = existing(ctx, name) else { return nil }
        return
            "phase0 cannot tell whether a container named \(name) exists (\(why)), so it neither removes nor creates one. Check that the Docker daemon answers (sudo docker ps -a), then run phase0 again."
    }

    static func describe(_ found: Existing, wanted: String) -> String {
        let state = found.running ? "running" : "stopped"
        if found.hash == wanted { return "\(state), made by phase0 from these values" }
        if found.hash.isEmpty { return "\(state), image \(found.image), not made by phase0 (by hand, or by the guide's command)" }
        return "\(state), made by phase0 from other values"
    }

    /// The Docker daemon's version, asked the way this run uses docker (directly for the docker
    /// group, else as root with `sudo -n`): it answers, or why not.
    static func dockerInfo(_ ctx: StepContext) -> Lookup<String> {
        ctx.host.probe(ctx.docker.probe(["info", "--format", "{{.ServerVersion}}"])).map { $0.trimmingWhitespace() }
    }

    static func healthy(_ ctx: StepContext, _ s: WebUISettings) -> Bool {
        ctx.host.succeeds(["curl", "-fsS", "-o", "/dev/null", "--max-time", "3", s.healthURL])
    }

    static func report(_ ctx: StepContext) -> [String] {
        var lines: [String] = []
        if !ctx.host.hasProgram("docker") {
            lines.append("Docker: not installed")
        } else {
            lines.append("Docker: " + dockerInfo(ctx).describe(absent: "") { "daemon \($0) answers" })
        }
        // The questions validated the answers just before; what cannot be computed is not shown.
        if let plan = try? plan(ctx) {
            lines.append("Network: " + plan.reason)
        }
        if let s = try? settings(ctx), let wanted = try? WebUIContainer.configHash(s) {
            lines.append(
                "Container \(s.container): " + existing(ctx, s.container).describe(absent: "none yet") { describe($0, wanted: wanted) })
        }
        lines.append(wrapped(WebUIContainer.environmentNote, indent: "").replacing("\n", with: "\n  "))
        return lines
    }
}
