import Phase0Parsers
import Phase0Core

/// Step 3: Open WebUI in a memory-capped container. Checks Docker and where Ollama listens,
/// runs the rendered `docker run` (keeping a container already made from the same values,
/// replacing another only with the operator's yes), and waits for /health by polling.
enum OpenWebUIStep {
    static func make() -> Step {
        Step(
            number: 3,
            title: "Deploy Open WebUI (memory-limited)",
            why: """
                Why: Open WebUI gives Zoe's phone a chat page on the Spark that talks to raw Ollama (Phase 0 only).
                The container is capped at 2 GiB of RAM (4 GiB with swap) and its ML libraries are switched off by
                environment variables, so idle it needs ~300 MB instead of ~1 GB next to a model that leaves
                ~230 MB free. Its port is bound to 127.0.0.1 only; Step 4 exposes it to your tailnet.
                """,
            manual: """
                docker run -d -p 127.0.0.1:3000:8080 --add-host=host.docker.internal:host-gateway \\
                  -e OLLAMA_BASE_URL=http://host.docker.internal:11434 -e RAG_EMBEDDING_ENGINE=openai \\
                  -e AUDIO_STT_ENGINE=openai -e IMAGE_GENERATION_ENGINE=openai --memory=2g --memory-swap=4g \\
                  -v open-webui:/app/backend/data --name open-webui --restart always ghcr.io/open-webui/open-webui:main
                curl http://127.0.0.1:3000
                """,
            questions: WebUIQuestions.all,
            report: report,
            actions: [dockerDaemon, dockerAtBoot, pullImage, replaceContainer, runContainer, waitForHealth, firstAccount],
            verify: verify,
            gate: SwapGate.gate
        )
    }

    static func answers(_ ctx: StepContext) throws -> [String: String] {
        var answers: [String: String] = [:]
        for key in Array(WebUIContainer.defaults.keys) + ["ollamaURL"] { answers[key] = try ctx.answer(key) }
        return answers
    }

    static func plan(_ ctx: StepContext) throws -> WebUINetworkPlan {
        WebUINetwork.plan(choice: try ctx.answer("webuiNetwork"), ollamaURL: try ctx.answer("ollamaURL"),
                          webuiPort: try ctx.answer("webuiPort"), host: ctx.host)
    }

    static func settings(_ ctx: StepContext) throws -> WebUISettings {
        let plan = try plan(ctx)
        let chosen = try WebUIContainer.settings(answers: try answers(ctx), hostNetwork: plan.hostNetwork)
        guard !plan.determined else { return chosen }
        // Ollama is down or unreadable right now: a container phase0 made with the guide's bridge
        // route for these values stays as it is rather than being replaced on a guess.
        var bridge = chosen
        bridge.hostNetwork = false
        if let found = existing(ctx, chosen.container), found.hash == (try WebUIContainer.configHash(bridge)) { return bridge }
        return chosen
    }

    // MARK: - Reading the machine

    static func dockerAnswers(_ ctx: StepContext) -> CommandResult? {
        try? ctx.host.run(ctx.docker.probe(["info", "--format", "{{.ServerVersion}}"]))
    }

    /// The container of that name: running, and the config hash it was labelled with.
    struct Existing { var running: Bool; var hash: String; var image: String }

    static func existing(_ ctx: StepContext, _ name: String) -> Existing? {
        let format = "{{.State.Running}}|{{index .Config.Labels \"\(WebUIContainer.configLabel)\"}}|{{.Config.Image}}"
        guard let result = try? ctx.host.run(ctx.docker.probe(["inspect", "--type", "container", "--format", format, name])),
              result.succeeded else { return nil }
        let fields = result.output.trimmingWhitespace().split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 3 else { return nil }
        return Existing(running: fields[0] == "true", hash: fields[1] == "<no value>" ? "" : fields[1], image: fields[2])
    }

    static func describe(_ found: Existing, wanted: String) -> String {
        let state = found.running ? "running" : "stopped"
        if found.hash == wanted { return "\(state), made by phase0 from these values" }
        if found.hash.isEmpty { return "\(state), image \(found.image), not made by phase0 (by hand, or by the guide's command)" }
        return "\(state), made by phase0 from other values"
    }

    static func healthy(_ ctx: StepContext, _ s: WebUISettings) -> Bool {
        ctx.host.succeeds(["curl", "-fsS", "-o", "/dev/null", "--max-time", "3", s.healthURL])
    }

    static func report(_ ctx: StepContext) -> [String] {
        var lines: [String] = []
        if !ctx.host.hasProgram("docker") {
            lines.append("Docker: not installed")
        } else if let info = dockerAnswers(ctx) {
            lines.append(info.succeeded ? "Docker: daemon \(info.output.trimmingWhitespace()) answers" : "Docker: the daemon does not answer (\(info.output.trimmingWhitespace()))")
        }
        if let plan = try? plan(ctx) {
            lines.append("Network: " + plan.reason)
        }
        if let s = try? settings(ctx), let found = existing(ctx, s.container), let wanted = try? WebUIContainer.configHash(s) {
            lines.append("Container \(s.container): " + describe(found, wanted: wanted))
        }
        lines.append(wrapped(WebUIContainer.environmentNote, indent: "").replacing("\n", with: "\n  "))
        return lines
    }

    // MARK: - Actions

    static var dockerDaemon: Action { Action(
        id: "docker-daemon",
        title: "Start the Docker daemon",
        why: "Open WebUI runs in Docker; the daemon must answer before anything else in this step.",
        kind: .commands { _ in [.privileged(["systemctl", "start", "docker.service"])] },
        check: { ctx in
            let info = dockerAnswers(ctx)
            return Check(info?.succeeded == true, "Docker daemon answers",
                         info.map { $0.succeeded ? "server \($0.output.trimmingWhitespace())" : $0.output.trimmingWhitespace() } ?? "docker could not run")
        },
        refuse: { ctx in
            guard ctx.host.hasProgram("docker") else { return dockerMissing }
            let loaded = ctx.host.output(["systemctl", "show", "-p", "LoadState", "--value", "docker.service"])?.trimmingWhitespace()
            guard loaded == "loaded" else {
                return "the Docker daemon does not answer (\(dockerAnswers(ctx)?.output.trimmingWhitespace() ?? "docker info failed")), and there is no docker.service to start. Start Docker the way it was installed, then run phase0 again."
            }
            return nil
        }
    ) }

    static var dockerAtBoot: Action { Action(
        id: "docker-at-boot",
        title: "Start Docker at boot",
        why: "--restart=always brings Open WebUI back only once Docker itself runs after a reboot.",
        kind: .commands { _ in [.privileged(["systemctl", "enable", "docker.service"])] },
        check: { ctx in
            let state = (try? ctx.host.run(Command(["systemctl", "is-enabled", "docker.service"])))?.output.trimmingWhitespace() ?? ""
            if state.contains("No such file") || state.isEmpty { return Check(true, "Docker at boot", "no docker.service unit: Docker is managed another way") }
            return Check(["enabled", "enabled-runtime", "static", "indirect", "generated", "alias"].contains(state), "docker.service enabled", state)
        }
    ) }

    static var pullImage: Action { Action(
        id: "pull-image",
        title: "Pull the Open WebUI image",
        why: "Downloading first keeps the old container (if any) running until the new one can start at once.",
        kind: .commands { ctx in [ctx.docker.change(["pull", try settings(ctx).image], streamsOutput: true)] },
        check: { ctx in
            let image = try settings(ctx).image
            let present = (try? ctx.host.run(ctx.docker.probe(["image", "inspect", "--format", "{{.Id}}", image])))?.succeeded ?? false
            return Check(present, "image \(image)", present ? "present" : "not pulled yet")
        }
    ) }

    static var replaceContainer: Action { Action(
        id: "replace-container",
        title: "Remove the existing container (its volume and data stay)",
        why: "A container of that name exists but was not made from these values. It is removed with `docker rm -f`; the named volume (accounts, chats) is kept and the new container uses it.",
        kind: .commands { ctx in
            let s = try settings(ctx)
            if let found = existing(ctx, s.container) {
                ctx.say("     Container \(s.container): \(describe(found, wanted: try WebUIContainer.configHash(s))).")
                ctx.say("     It is replaced by the container of the rendered command below; volume \(s.volume) is kept.")
            }
            return [ctx.docker.change(["rm", "-f", s.container])]
        },
        check: { ctx in
            let s = try settings(ctx)
            guard let found = existing(ctx, s.container) else { return Check(true, "no other container named \(s.container)", "") }
            let wanted = try WebUIContainer.configHash(s)
            return Check(found.hash == wanted, "no other container named \(s.container)", describe(found, wanted: wanted))
        },
        refuse: { ctx in
            if let refusal = (try? plan(ctx))?.refusal { return refusal }
            guard let given = ctx.presetAnswers["replaceContainer"] else { return nil }
            switch given.trimmingWhitespace().lowercased() {
            case "yes", "y", "true": return nil
            case "no", "n", "false":
                let name = (try? settings(ctx).container) ?? "open-webui"
                return "a container named \(name) exists that phase0 did not make from these values, and the answers file says replaceContainer=no. Keep it (and skip Step 3's container), remove it yourself, or choose another webuiContainer name."
            default:
                return "replaceContainer must be yes or no, not \"\(given)\""
            }
        },
        // A container phase0 made (its label) from other values is its own to replace; one it
        // did not make takes the answers file's yes or a person, never -y alone.
        consentKey: { ctx in
            guard let s = try? settings(ctx), let found = existing(ctx, s.container), found.hash.isEmpty else { return nil }
            return "replaceContainer"
        }
    ) }

    static var runContainer: Action { Action(
        id: "run-container",
        title: "Run Open WebUI (memory-capped, loopback only)",
        why: "The rendered command: --memory=2g --memory-swap=4g, ML features off, 127.0.0.1 only, the named volume, --restart=always.",
        kind: .commands { ctx in
            let s = try settings(ctx)
            let wanted = try WebUIContainer.configHash(s)
            let docker = ctx.docker
            if let found = existing(ctx, s.container), found.hash == wanted, !found.running {
                return [docker.change(["start", s.container])]
            }
            return [docker.change(Array(try WebUIContainer.argv(s).dropFirst()))]
        },
        check: { ctx in try containerCheck(ctx) },
        refuse: { ctx in (try? plan(ctx))?.refusal }
    ) }

    static func containerCheck(_ ctx: StepContext) throws -> Check {
        let s = try settings(ctx)
        let label = "container \(s.container) running as rendered"
        guard let found = existing(ctx, s.container) else { return Check(false, label, "no container \(s.container)") }
        let wanted = try WebUIContainer.configHash(s)
        guard found.hash == wanted else { return Check(false, label, describe(found, wanted: wanted)) }
        return Check(found.running, label, found.running ? "\(s.hostNetwork ? "host network" : "bridge"), 127.0.0.1:\(s.port)" : "stopped")
    }

    /// Polls /health (curl retries every 3 s, for at most 5 minutes): the first start migrates
    /// its database, which takes longer on a Spark whose RAM the model holds.
    static var waitForHealth: Action { Action(
        id: "health",
        title: "Wait for Open WebUI to answer /health (up to 5 minutes)",
        why: "The container runs before the web server inside it answers; phase0 polls instead of sleeping a fixed time.",
        kind: .commands { ctx in
            let url = try settings(ctx).healthURL
            return [Command(["curl", "-fsS", "-o", "/dev/null", "--max-time", "3", "--retry", "100", "--retry-delay", "3",
                             "--retry-max-time", "300", "--retry-connrefused", "--retry-all-errors", url], timeout: 330)]
        },
        check: { ctx in
            let s = try settings(ctx)
            let ok = healthy(ctx, s)
            return Check(ok, "Open WebUI answers \(s.healthURL)", ok ? "healthy" : "no answer")
        }
    ) }

    static var firstAccount: Action { Action(
        id: "first-account",
        title: "Register the first account now (it becomes admin)",
        why: "Open WebUI makes the first account registered its admin. Step 4 makes the page reachable from your tailnet, and never before an account exists: register now, through an SSH tunnel from your laptop.",
        kind: .operatorTask { ctx in
            ownerInstruction(ctx, port: (try? settings(ctx).port) ?? "3000") + ctx.practiceHint("registers the first account (it becomes admin)")
        },
        check: { ctx in try firstAccountCheck(ctx) }
    ) }

    /// How the operator reaches the page before it is exposed: an SSH tunnel to 127.0.0.1.
    static func ownerInstruction(_ ctx: StepContext, port: String) -> String {
        let user = ctx.answerIfGiven("user") ?? ctx.host.invoker
        let name = ctx.host.name.split(separator: " ").first.map(String.init) ?? ctx.host.name
        return """
            Open WebUI has no account yet, and the first one registered becomes its admin: register yours now,
            before Step 4 exposes the page to your tailnet. From your laptop:
              ssh -L \(port):127.0.0.1:\(port) \(user)@\(name)
            then open http://127.0.0.1:\(port) there and sign up. Sign-up then stays closed (ENABLE_SIGNUP=False).
            """
    }

    static func firstAccountCheck(_ ctx: StepContext) throws -> Check {
        let s = try settings(ctx)
        let label = "first account (admin)"
        switch Probe.webuiAccounts(ctx.host, port: s.port) {
        case .exist: return Check(true, label, "an account exists; the first one registered is the admin")
        case .none: return Check(false, label, "no account registered yet (/api/config says onboarding)")
        case .unknown(let why): return Check(false, label, "cannot tell whether an account exists: \(why)")
        }
    }

    /// The guide's own troubleshooting probe: can Open WebUI, from inside its container, list
    /// Ollama's models at the URL it was given?
    static func reachesOllama(_ ctx: StepContext) throws -> Check {
        let s = try settings(ctx)
        let url = (s.hostNetwork ? s.ollamaURL : WebUIContainer.containerOllamaURL(s.ollamaURL)) + "/api/tags"
        let label = "Open WebUI reaches Ollama"
        guard let result = try? ctx.host.run(ctx.docker.probe(["exec", s.container, "curl", "-fsS", url], timeout: 20)) else {
            return Check(false, label, "docker exec could not run")
        }
        return Check(result.succeeded, label, result.succeeded ? "from the container: \(url)" : "from the container, \(url): \(result.output.trimmingWhitespace()) (see: phase0 troubleshoot webui)")
    }

    static let dockerMissing = "docker is not installed. The guide's Step 3 runs Open WebUI in Docker. DGX OS ships it: docker-ce from Docker's own apt repository, with NVIDIA's container toolkit (nvidia-container-toolkit) from NVIDIA's; reinstall those packages from those repositories (NVIDIA's DGX Spark documentation), not Debian/Ubuntu's docker.io, which conflicts with docker-ce. Then run phase0 again."

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        let container = try containerCheck(ctx)
        var checks = [try dockerDaemon.check(ctx), container, try waitForHealth.check(ctx)]
        if container.ok { checks.append(try reachesOllama(ctx)) }
        return checks
    }
}

extension Host {
    /// Whether a read-only probe as root succeeds.
    func run(rootProbe argv: [String]) -> Bool { (try? run(.rootProbe(argv)))?.succeeded ?? false }
}
