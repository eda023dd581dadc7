import Phase0Core
import Phase0Parsers

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
        for key in WebUIContainer.keys { answers[key.rawValue] = try ctx.answer(key) }
        return answers
    }

    static func plan(_ ctx: StepContext) throws -> WebUINetworkPlan {
        WebUINetwork.plan(
            choice: try ctx.answer(.webuiNetwork), ollamaURL: try ctx.answer(.ollamaURL),
            webuiPort: try ctx.answer(.webuiPort), host: ctx.host)
    }

    static func settings(_ ctx: StepContext) throws -> WebUISettings {
        let plan = try plan(ctx)
        let chosen = try WebUIContainer.settings(answers: try answers(ctx), hostNetwork: plan.hostNetwork)
        guard !plan.determined else { return chosen }
        // Ollama is down or unreadable right now: a container phase0 made with the guide's bridge
        // route for these values stays as it is rather than being replaced on a guess.
        var bridge = chosen
        bridge.hostNetwork = false
        if let found = existing(ctx, chosen.container).value, found.hash == (try WebUIContainer.configHash(bridge)) { return bridge }
        return chosen
    }

    // MARK: - Actions

    static var dockerDaemon: Action {
        Action(
            id: "docker-daemon",
            title: "Start the Docker daemon",
            why: "Open WebUI runs in Docker; the daemon must answer before anything else in this step.",
            kind: .commands { _ in [.privileged(["systemctl", "start", "docker.service"])] },
            check: { ctx in
                let info = dockerInfo(ctx)
                return Check(info.value != nil, "Docker daemon answers", info.describe(absent: "") { "server \($0)" })
            },
            refuse: { ctx in
                guard ctx.host.hasProgram("docker") else { return dockerMissing }
                guard Probe.unitProperty(ctx.host, "docker.service", "LoadState") == .found("loaded") else {
                    return
                        "the Docker daemon does not answer (\(dockerInfo(ctx).unknownReason ?? "docker info failed")), and there is no docker.service to start. Start Docker the way it was installed, then run phase0 again."
                }
                return nil
            }
        )
    }

    static var dockerAtBoot: Action {
        Action(
            id: "docker-at-boot",
            title: "Start Docker at boot",
            why: "--restart=always brings Open WebUI back only once Docker itself runs after a reboot.",
            kind: .commands { _ in [.privileged(["systemctl", "enable", "docker.service"])] },
            check: { ctx in
                switch Probe.unitEnabled(ctx.host, "docker.service") {
                case .absent: return Check(true, "Docker at boot", "no docker.service unit: Docker is managed another way")
                case .unknown(let why): return Check(false, "docker.service enabled", "cannot tell (\(why))")
                case .found(let state):
                    return Check(
                        ["enabled", "enabled-runtime", "static", "indirect", "generated", "alias"].contains(state),
                        "docker.service enabled", state)
                }
            },
            refuse: { ctx in
                guard case .unknown(let why) = Probe.unitEnabled(ctx.host, "docker.service") else { return nil }
                return "phase0 cannot tell whether Docker starts at boot (\(why)); see: systemctl is-enabled docker.service"
            }
        )
    }

    static var pullImage: Action {
        Action(
            id: "pull-image",
            title: "Pull the Open WebUI image",
            why: "Downloading first keeps the old container (if any) running until the new one can start at once.",
            kind: .commands { ctx in [ctx.docker.change(["pull", try settings(ctx).image], streamsOutput: true)] },
            check: { ctx in
                let image = try settings(ctx).image
                let present = ctx.host.probe(
                    ctx.docker.probe(["image", "inspect", "--format", "{{.Id}}", image]), absentWhen: Probe.dockerSaysNoSuch)
                return Check(present.value != nil, "image \(image)", present.describe(absent: "not pulled yet") { _ in "present" })
            }
        )
    }

    static var replaceContainer: Action {
        Action(
            id: "replace-container",
            title: "Remove the existing container (its volume and data stay)",
            why:
                "A container of that name exists but was not made from these values. It is removed with `docker rm -f`; the named volume (accounts, chats) is kept and the new container uses it.",
            kind: .commands { ctx in
                let s = try settings(ctx)
                if let found = existing(ctx, s.container).value {
                    ctx.say("     Container \(s.container): \(describe(found, wanted: try WebUIContainer.configHash(s))).")
                    ctx.say("     It is replaced by the container of the rendered command below; volume \(s.volume) is kept.")
                }
                return [ctx.docker.change(["rm", "-f", s.container])]
            },
            check: { ctx in
                let s = try settings(ctx)
                let label = "no other container named \(s.container)"
                switch existing(ctx, s.container) {
                case .absent: return Check(true, label, "")
                case .unknown(let why): return Check(false, label, "cannot tell (\(why))")
                case .found(let found):
                    let wanted = try WebUIContainer.configHash(s)
                    return Check(found.hash == wanted, label, describe(found, wanted: wanted))
                }
            },
            refuse: { ctx in
                if let refusal = unseenContainer(ctx) ?? planRefusal(ctx) { return refusal }
                return ctx.decisionRefusal(
                    .replaceContainer,
                    whenNo: {
                        let name = ctx.answerOrDefault(.webuiContainer) ?? ""
                        return
                            "a container named \(name) exists that phase0 did not make from these values, and the answers file says replaceContainer=no. Keep it (and skip Step 3's container), remove it yourself, or choose another webuiContainer name."
                    })
            },
            // A container phase0 made (its label) from other values is its own to replace; one it
            // did not make takes the answers file's yes or a person, never -y alone.
            consentKey: { ctx in
                guard let s = try? settings(ctx), let found = existing(ctx, s.container).value, found.hash.isEmpty else { return nil }
                return AnswerKey.replaceContainer.rawValue
            }
        )
    }

    static var runContainer: Action {
        Action(
            id: "run-container",
            title: "Run Open WebUI (memory-capped, loopback only)",
            why: "The rendered command: --memory=2g --memory-swap=4g, ML features off, 127.0.0.1 only, the named volume, --restart=always.",
            kind: .commands { ctx in
                let s = try settings(ctx)
                let wanted = try WebUIContainer.configHash(s)
                let docker = ctx.docker
                if let found = existing(ctx, s.container).value, found.hash == wanted, !found.running {
                    return [docker.change(["start", s.container])]
                }
                return [docker.change(Array(try WebUIContainer.argv(s).dropFirst()))]
            },
            check: { ctx in try containerCheck(ctx) },
            refuse: { ctx in unseenContainer(ctx) ?? planRefusal(ctx) }
        )
    }

    static func containerCheck(_ ctx: StepContext) throws -> Check {
        let s = try settings(ctx)
        let label = "container \(s.container) running as rendered"
        let found: Existing
        switch existing(ctx, s.container) {
        case .found(let value): found = value
        case .absent: return Check(false, label, "no container \(s.container)")
        case .unknown(let why): return Check(false, label, "cannot tell (\(why))")
        }
        let wanted = try WebUIContainer.configHash(s)
        guard found.hash == wanted else { return Check(false, label, describe(found, wanted: wanted)) }
        return Check(found.running, label, found.running ? "\(s.hostNetwork ? "host network" : "bridge"), 127.0.0.1:\(s.port)" : "stopped")
    }

    /// Polls /health (curl retries every 3 s, for at most 5 minutes): the first start migrates
    /// its database, which takes longer on a Spark whose RAM the model holds.
    static var waitForHealth: Action {
        Action(
            id: "health",
            title: "Wait for Open WebUI to answer /health (up to 5 minutes)",
            why: "The container runs before the web server inside it answers; phase0 polls instead of sleeping a fixed time.",
            kind: .commands { ctx in
                let url = try settings(ctx).healthURL
                return [
                    Command(
                        [
                            "curl", "-fsS", "-o", "/dev/null", "--max-time", "3", "--retry", "100", "--retry-delay", "3",
                            "--retry-max-time", "300", "--retry-connrefused", "--retry-all-errors", url,
                        ], timeout: 330)
                ]
            },
            check: { ctx in
                let s = try settings(ctx)
                let ok = healthy(ctx, s)
                return Check(ok, "Open WebUI answers \(s.healthURL)", ok ? "healthy" : "no answer")
            }
        )
    }

    static var firstAccount: Action {
        Action(
            id: "first-account",
            title: "Register the first account now (it becomes admin)",
            why:
                "Open WebUI makes the first account registered its admin. Step 4 makes the page reachable from your tailnet, and never before an account exists: register now, through an SSH tunnel from your laptop.",
            kind: .operatorTask { ctx in
                ownerInstruction(ctx, port: ctx.answerOrDefault(.webuiPort) ?? "")
                    + ctx.practiceHint("registers the first account (it becomes admin)")
            },
            check: { ctx in try firstAccountCheck(ctx) }
        )
    }

    /// How the operator reaches the page before it is exposed: an SSH tunnel to 127.0.0.1.
    static func ownerInstruction(_ ctx: StepContext, port: String) -> String {
        let user = ctx.answerIfGiven(.user) ?? ctx.host.invoker
        let name = ctx.host.name.split(separator: " ").first.map(String.init) ?? ctx.host.name
        return """
            Open WebUI has no account yet, and the first one registered becomes its admin: register yours now,
            before Step 4 exposes the page to your tailnet. From your laptop:
              ssh -L \(port):127.0.0.1:\(port) \(user)@\(name)
            then open http://127.0.0.1:\(port) there and sign up. Sign-up then stays closed (ENABLE_SIGNUP=False).
            """
    }

    /// Whether an account exists (FACTS A1: /api/config says `onboarding` only while none does).
    /// No account, or no answer, is never passed: Step 4 would expose a page anyone may own.
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
        let reached = ctx.host.probe(ctx.docker.probe(["exec", s.container, "curl", "-fsS", url], timeout: 20))
        return Check(
            reached.value != nil, label,
            reached.value != nil
                ? "from the container: \(url)"
                : "from the container, \(url): \(reached.unknownReason ?? "") (see: phase0 troubleshoot webui)")
    }

    static let dockerMissing =
        "docker is not installed. The guide's Step 3 runs Open WebUI in Docker. DGX OS ships it: docker-ce from Docker's own apt repository, with NVIDIA's container toolkit (nvidia-container-toolkit) from NVIDIA's; reinstall those packages from those repositories (NVIDIA's DGX Spark documentation), not Debian/Ubuntu's docker.io, which conflicts with docker-ce. Then run phase0 again."

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        let container = try containerCheck(ctx)
        var checks = [try dockerDaemon.check(ctx), container, try waitForHealth.check(ctx)]
        if container.ok { checks.append(try reachesOllama(ctx)) }
        return checks
    }
}
