import FoundationEssentials
import Phase0Core
import Phase0Parsers

/// Undo of Step 3: the container phase0 created stopped and removed (the named volume, with
/// Open WebUI's accounts and chats, kept unless `--purge`, which asks again), and Docker's
/// start at boot switched off again if phase0 switched it on. A container is phase0's only
/// when the resume file says phase0 ran it and it carries phase0's label.
enum UndoWebUI {
    static func make(purge: Bool) -> Step {
        var actions = [removeContainer]
        if purge { actions += [removeVolume, removeImage] }
        actions.append(dockerAtBoot)
        return UndoProcedure.make(
            3, title: "Deploy Open WebUI (memory-limited)",
            why: """
                Why: this stops and removes the Open WebUI container phase0 created. Its volume (accounts, chats) is
                kept\(purge ? "; with --purge it is removed too, with the image phase0 pulled" : " (phase0 undo 3 --purge removes it)").
                """,
            manual: """
                docker stop open-webui && docker rm open-webui
                docker volume rm open-webui    # only with --purge: deletes accounts and chats
                """, actions: actions, report: { ctx in report(ctx, purge: purge) })
    }

    static func names(_ ctx: StepContext) throws -> (container: String, volume: String, image: String) {
        (
            try UndoProcedure.saved(.webuiContainer, ctx),
            try UndoProcedure.saved(.webuiVolume, ctx),
            try UndoProcedure.saved(.webuiImage, ctx)
        )
    }

    /// Whether the container carries phase0's label; absent when there is no such container,
    /// unknown when docker cannot be asked. `--type container`: without it, once the container
    /// is gone, docker inspects the volume of the same name (the guide names both open-webui)
    /// and the template fails on it.
    static func container(_ ctx: StepContext, _ name: String) -> Lookup<Bool> {
        let format = "{{index .Config.Labels \"\(WebUIContainer.configLabel)\"}}"
        return Probe.docker(ctx.host, ["inspect", "--type", "container", "--format", format, name])
            .map { $0.trimmingWhitespace() }
            .map { !$0.isEmpty && $0 != "<no value>" }
    }

    /// `docker volume inspect` / `docker image inspect` as root: absent when docker says there
    /// is no such volume or image.
    static func dockerObject(_ ctx: StepContext, _ kind: String, _ name: String) -> Lookup<String> {
        let argv = kind == "image" ? ["docker", "image", "inspect", "--format", "{{.Id}}", name] : ["docker", kind, "inspect", name]
        return ctx.host.probe(.rootProbe(argv, timeout: 30)) { result in
            Probe.dockerSaysNoSuch(result) || result.output.contains("no such volume")
        }
    }

    /// phase0's container never replaced an older one: then the volume was made by phase0's run.
    static func volumeIsPhase0s(_ ctx: StepContext) -> Bool {
        UndoProcedure.phase0Ran(3, "run-container", ctx) && !UndoProcedure.phase0Ran(3, "replace-container", ctx)
    }

    static func report(_ ctx: StepContext, purge: Bool) -> [String] {
        guard let n = try? names(ctx) else { return [] }
        var lines: [String] = []
        if UndoProcedure.phase0Ran(3, "run-container", ctx) {
            lines.append(
                purge && volumeIsPhase0s(ctx)
                    ? "--purge: volume \(n.volume) is removed, with everything in it."
                    : "Leaves volume \(n.volume) (accounts and chats)"
                        + (purge ? ": it held an older container's data before phase0." : "; --purge removes it."))
        }
        if UndoProcedure.phase0Ran(3, "docker-daemon", ctx) {
            lines.append("The Docker daemon phase0 started keeps running (other containers may use it).")
        }
        if let line = UndoProcedure.leaves(3, "pull-image", "image \(n.image)", ctx) { lines.append(line) }
        return lines
    }

    static var removeContainer: Action {
        Action(
            id: "remove-container",
            title: "Stop and remove the Open WebUI container phase0 created",
            why: "Stops Open WebUI and removes its container; the named volume stays unless --purge.",
            kind: .commands { ctx in
                let name = try names(ctx).container
                return [.privileged(["docker", "stop", name], timeout: 120), .privileged(["docker", "rm", name], timeout: 120)]
            },
            check: { ctx in
                let name = try names(ctx).container
                let label = "container \(name) removed"
                switch container(ctx, name) {
                case .absent: return Check(true, label, "no container \(name)")
                case .found(false): return Check(true, label, "a container \(name) without phase0's label (not phase0's): left as it is")
                case .found(true): return Check(false, label, "phase0's container is there")
                case .unknown(let why): return Check(false, label, "cannot tell (\(why))")
                }
            },
            applies: { ctx in UndoProcedure.phase0Ran(3, "run-container", ctx) },
            refuse: { ctx in
                (try? names(ctx).container).flatMap { UndoProcedure.unseen(container(ctx, $0), "whether container \($0) is phase0's") }
            }
        )
    }

    static var removeVolume: Action {
        Action(
            id: "remove-volume",
            title: "Remove Open WebUI's volume (--purge: accounts and chats are deleted)",
            why: "--purge was given and confirmed: the volume's data goes with it. Without --purge the volume is kept.",
            kind: .commands { ctx in [.privileged(["docker", "volume", "rm", try names(ctx).volume], timeout: 120)] },
            check: { ctx in
                let volume = try names(ctx).volume
                let there = dockerObject(ctx, "volume", volume)
                return Check(there == .absent, "volume \(volume) removed", there.describe(absent: "not there") { _ in "there" })
            },
            applies: volumeIsPhase0s,
            refuse: { ctx in
                (try? names(ctx).volume).flatMap { UndoProcedure.unseen(dockerObject(ctx, "volume", $0), "whether volume \($0) is there") }
            }
        )
    }

    static var removeImage: Action {
        Action(
            id: "remove-image",
            title: "Remove the Open WebUI image phase0 pulled (--purge)",
            why: "The image phase0 pulled; a new run pulls it again.",
            kind: .commands { ctx in [.privileged(["docker", "image", "rm", try names(ctx).image], timeout: 300)] },
            check: { ctx in
                let image = try names(ctx).image
                let there = dockerObject(ctx, "image", image)
                return Check(there == .absent, "image \(image) removed", there.describe(absent: "not there") { _ in "there" })
            },
            applies: { ctx in UndoProcedure.phase0Ran(3, "pull-image", ctx) },
            refuse: { ctx in
                (try? names(ctx).image).flatMap { UndoProcedure.unseen(dockerObject(ctx, "image", $0), "whether image \($0) is there") }
            }
        )
    }

    static var dockerAtBoot: Action {
        Action(
            id: "docker-not-at-boot",
            title: "Stop starting Docker at boot (phase0 switched it on)",
            why: "Before phase0, docker.service was not enabled; phase0 enabled it for --restart=always.",
            kind: .commands { _ in [.privileged(["systemctl", "disable", "docker.service"])] },
            check: { ctx in
                UndoAgent.stateCheck(Probe.unitEnabled(ctx.host, "docker.service"), "docker.service not enabled") { $0 != "enabled" }
            },
            applies: { ctx in UndoProcedure.phase0Ran(3, "docker-at-boot", ctx) },
            refuse: { ctx in UndoProcedure.unseen(Probe.unitEnabled(ctx.host, "docker.service"), "whether Docker starts at boot") }
        )
    }
}

/// Undo of Step 4: only the Serve configuration phase0 made. When it is the only one,
/// `tailscale serve reset`; when something else is served on other ports, only HTTPS 443
/// (`tailscale serve --https=443 off`); when 443 also serves other paths, or proxies
/// somewhere else now, it is left and said so.
enum UndoServe {
    static func make() -> Step {
        UndoProcedure.make(
            4, title: "Expose Open WebUI via Tailscale Serve",
            why: """
                Why: this takes Open WebUI off your tailnet: the Serve configuration phase0 made is removed, and
                nothing else Serve does is touched.
                """,
            manual: """
                tailscale serve status --json
                sudo tailscale serve --https=443 off     # or, when phase0's is the only configuration: sudo tailscale serve reset
                """, actions: [serveOff], report: { _ in [] })
    }

    /// What Serve holds: nothing on 443; something else there now; only phase0's proxy; phase0's
    /// proxy on 443 beside other ports or keys; phase0's and other handlers on 443 itself.
    enum Shape {
        case none
        case other(String)
        case onlyPhase0s, phase0sOn443, shared443
    }

    /// What `tailscale serve status --json` holds, judged against phase0's proxy.
    static func shape(_ ctx: StepContext) throws -> Shape {
        let port = try TailscaleServeStep.port(ctx)
        guard let result = try? ctx.host.run(Command(["tailscale", "serve", "status", "--json"], timeout: 20)), result.succeeded else {
            throw ValidationFailure("`tailscale serve status --json` failed")
        }
        let config = try ServeConfig.parse(result.output)
        guard let served = config.httpsProxy() else { return .none }
        guard config.proxiesToLocalPort(port) else {
            return .other("https://\(served.host) proxies to \(served.target) now, not phase0's http://127.0.0.1:\(port)")
        }
        let handlers443 = config.proxies.filter { $0.key.hasSuffix(":443") }.values.reduce(0) { $0 + $1.count }
        if handlers443 > 1 { return .shared443 }
        let raw = try? JSONDecoder().decode(JSONValue.self, from: Data(result.output.utf8))
        var extraKeys = false
        if case .object(let fields)? = raw {
            extraKeys = fields.contains { key, value in
                !["TCP", "Web"].contains(key) && value != .null && value != .object([:]) && value != .bool(false)
            }
        }
        return config.httpsPorts == [443] && config.proxies.count == 1 && !extraKeys ? .onlyPhase0s : .phase0sOn443
    }

    static var serveOff: Action {
        Action(
            id: "serve-off",
            title: "Remove phase0's Tailscale Serve configuration",
            why: "Open WebUI is no longer reachable from the tailnet; it stays bound to 127.0.0.1.",
            kind: .commands { ctx in
                switch try shape(ctx) {
                case .onlyPhase0s:
                    ctx.say("     phase0's proxy is Serve's only configuration: it is reset.")
                    return [.privileged(["tailscale", "serve", "reset"], timeout: TailscaleServeStep.serveTimeout)]
                default:
                    ctx.say("     Serve also holds configuration phase0 did not make: only HTTPS 443 is turned off.")
                    return [.privileged(["tailscale", "serve", "--https=443", "off"], timeout: TailscaleServeStep.serveTimeout)]
                }
            },
            check: { ctx in
                let label = "phase0's Serve configuration removed"
                switch try shape(ctx) {
                case .none: return Check(true, label, "nothing served on HTTPS 443")
                case .other(let what): return Check(true, label, what + ": left as it is")
                case .onlyPhase0s, .phase0sOn443, .shared443: return Check(false, label, "HTTPS 443 proxies to phase0's Open WebUI")
                }
            },
            applies: { ctx in UndoProcedure.phase0Ran(4, "serve", ctx) },
            refuse: { ctx in
                guard case .shared443? = try? shape(ctx) else { return nil }
                return
                    "HTTPS 443 also serves paths phase0 did not set up; turning 443 off would remove them too. Remove phase0's \"/\" handler yourself (tailscale serve --https=443 --set-path=/ off), then run phase0 undo 4 again."
            }
        )
    }
}
