import Phase0Core
import Phase0Parsers

/// Step 5: the Unplug Protocol, the guide's success test. Checks 1–3 are things only the
/// operator can see (a closed lid, a phone, the TUI), asked as yes/no observations and never
/// answered by -y. Checks 4–5 are measured: Open WebUI's container is stopped and started
/// while the agent's tmux session must survive untouched, and a detached session leaves the
/// container running. Every result is an action, so the resume file records it.
enum UnplugProtocolStep {
    static func make() -> Step {
        Step(
            number: 5,
            title: "The Unplug Protocol (success test)",
            why: """
                Why: the goal of Phase 0 is that the Spark's agent survives laptop sleep, SSH drops and
                network roaming. These five checks prove it. All five pass = Phase 0 complete.
                """,
            manual: """
                1. Close laptop lid. Wait 5 minutes.
                2. On phone (Tailscale connected), open the Serve URL. Chat works.
                3. Reopen laptop. SSH back. `tmux attach -t vybn` (phase0's unit: `tmux -L vybn attach -t vybn`). TUI intact.
                4. `docker stop open-webui` -> tmux survives. `docker start open-webui` -> back.
                5. Detach tmux -> Docker survives.
                """,
            report: report,
            actions: [lidClosed, phoneChat, tmuxIntact, baseline, dockerRestart, detached],
            verify: verify,
            gate: SwapGate.gate
        )
    }

    static func report(_ ctx: StepContext) -> [String] {
        guard let names = try? ctx.guideAnswers() else { return [] }  // what the step asks is validated then
        let url = Probe.tailscaleStatus(ctx.host).value?.serveURL ?? "the Serve URL from Step 4"
        return [
            "The five checks (answer only what you saw yourself):",
            "  1. Close the laptop lid and wait 5 minutes. This SSH session may drop: that is expected.",
            "     Afterwards run phase0 again; it resumes here.",
            "  2. Meanwhile, on your phone with Tailscale connected, open \(url) and chat: a reply comes.",
            "  3. Reopen the laptop, SSH back in, run `\(AgentUnit.attachCommand(session: names.tmuxSession))` as \(names.user): the TUI is intact.",
            "     Detach again with Ctrl-B D.",
            "  4. phase0 stops and starts the \(names.webuiContainer) container; the tmux session must survive it.",
            "  5. With tmux detached, the \(names.webuiContainer) container keeps running.",
        ]
    }

    // MARK: - Checks 1–3: the operator's observations

    static func observed(_ key: AnswerKey, _ label: String) -> (StepContext) -> Check {
        { ctx in
            let answer = ctx.answerIfGiven(key)
            return Check(answer == "yes", label, answer.map { "you answered \($0)" } ?? "not answered yet")
        }
    }

    /// An observation only the operator can make, recorded and checked under one answer key.
    static func observation(id: String, title: String, why: String, question: String, answerKey: AnswerKey, label: String) -> Action {
        Action(
            id: id, title: title, why: why, kind: .observation(question: question, answerKey: answerKey.rawValue),
            check: observed(answerKey, label))
    }

    static var lidClosed: Action {
        observation(
            id: "unplug-1-lid",
            title: "Unplug check 1: laptop lid closed for 5 minutes",
            why:
                "The Spark must not depend on the laptop: the agent runs under systemd, not in your SSH session. If the agent was gone when you came back: phase0 troubleshoot service.",
            question: "1. Did you close the laptop lid and leave it closed for 5 minutes?",
            answerKey: .unplugLidClosed, label: "Unplug 1: lid closed 5 min"
        )
    }

    static var phoneChat: Action {
        observation(
            id: "unplug-2-phone",
            title: "Unplug check 2: chat from the phone through the Serve URL",
            why:
                "Open WebUI must answer through Tailscale Serve with the laptop asleep. If it did not: phase0 troubleshoot tailscale (serve, HTTPS, is the phone on the same tailnet?) and phase0 troubleshoot webui (container, Ollama).",
            question: "2. With the laptop lid closed, did a chat on your phone at the Serve URL get a reply?",
            answerKey: .unplugPhoneChat, label: "Unplug 2: phone chat works"
        )
    }

    static var tmuxIntact: Action {
        observation(
            id: "unplug-3-tmux",
            title: "Unplug check 3: the TUI is intact after SSHing back",
            why:
                "The agent's TUI lives in tmux under systemd, so it outlives every SSH session. If the session was missing or the TUI had restarted: phase0 troubleshoot service.",
            question: "3. After SSHing back, did attaching to the agent's tmux session (the command in 3. above) show the TUI intact?",
            answerKey: .unplugTmuxIntact, label: "Unplug 3: TUI intact"
        )
    }

    // MARK: - Check 4: docker stop/start, tmux survives

    static let baselineLabel = "agent and Open WebUI before check 4"

    /// When the session was created (epoch seconds): a re-created session means the agent
    /// restarted. nil when tmux cannot tell; then only the session's presence is compared.
    static func sessionCreated(_ ctx: StepContext, _ names: GuideAnswers) -> Int? {
        Probe.tmuxSessionFormat(ctx.host, user: names.user, socket: names.tmuxSocket, session: names.tmuxSession, "#{session_created}")
            .value.flatMap { Int($0) }
    }

    /// When the container last started (docker's State.StartedAt): it changes at every start, so
    /// a resumed run can tell whether check 4's stop/start happened. nil when docker cannot tell.
    static func containerStarted(_ ctx: StepContext, _ names: GuideAnswers) -> String? {
        guard let value = Probe.dockerInspect(ctx.host, names.webuiContainer, "{{.State.StartedAt}}").value,
            !value.isEmpty, !value.contains(" "), !value.contains(")")
        else { return nil }
        return value
    }

    /// Why the agent's session is not there to measure (gone, or phase0 cannot tell); nil when it is.
    static func sessionMissing(_ ctx: StepContext, _ names: GuideAnswers) -> String? {
        Probe.tmuxHasSession(ctx.host, user: names.user, socket: names.tmuxSocket, session: names.tmuxSession)
            .problem(
                absent: "no tmux session \(names.tmuxSession) for \(names.user)",
                unknown: "cannot tell whether the tmux session \(names.tmuxSession) of \(names.user) runs")
    }

    /// Why the container is not there running (stopped, gone, or phase0 cannot tell); nil when it runs.
    static func containerDown(_ ctx: StepContext, _ names: GuideAnswers) -> String? {
        switch Probe.containerRunning(ctx.host, names.webuiContainer) {
        case .found(true): return nil
        case .found(false), .absent: return "container \(names.webuiContainer) is not running"
        case .unknown(let why): return "cannot tell whether container \(names.webuiContainer) runs (\(why))"
        }
    }

    static func baselineDetail(created: Int?, started: String?, _ names: GuideAnswers) -> String {
        "tmux session \(names.tmuxSession) of \(names.user)" + (created.map { " (created at \($0))" } ?? "")
            + ", container \(names.webuiContainer) running" + (started.map { " (started at \($0))" } ?? "")
    }

    /// A value the baseline recorded, read back from its note: "(MARKER VALUE)".
    static func baselineValue(_ ctx: StepContext, _ marker: String) -> Substring? {
        guard let note = ctx.record(of: "unplug-4-baseline")?.note, let start = note.firstRange(of: "(\(marker) ") else { return nil }
        return note[start.upperBound...].prefix { $0 != ")" }
    }

    /// The creation time recorded by the baseline.
    static func baselineCreated(_ ctx: StepContext) -> Int? {
        baselineValue(ctx, "created at").flatMap { Int($0) }
    }

    /// The container's start time recorded by the baseline.
    static func baselineStarted(_ ctx: StepContext) -> String? {
        baselineValue(ctx, "started at").map(String.init)
    }

    static var baseline: Action {
        Action(
            id: "unplug-4-baseline",
            title: "Note the agent's tmux session before check 4",
            why: "Check 4 needs a running agent and a running container to prove anything.",
            kind: .commands { _ in [] },
            check: { ctx in
                let names = try ctx.guideAnswers()
                // Resuming with check 4 in flight: keep the baseline taken before docker stop.
                let inFlight = [ActionStatus.inFlight, .interrupted].contains(ctx.record(of: "unplug-4-docker")?.status)
                if inFlight, let note = ctx.record(of: "unplug-4-baseline")?.note { return Check(true, baselineLabel, note) }
                if let why = sessionMissing(ctx, names) ?? containerDown(ctx, names) { return Check(false, baselineLabel, why) }
                return Check(
                    true, baselineLabel, baselineDetail(created: sessionCreated(ctx, names), started: containerStarted(ctx, names), names))
            },
            refuse: { ctx in
                // A dry run lists the steps before them: there is no session to measure yet.
                if ctx.options.dryRun { return nil }
                let names: GuideAnswers
                do { names = try ctx.guideAnswers() } catch { return "the saved answers cannot be used: \(error)" }
                if let why = sessionMissing(ctx, names) { return "check 4 cannot pass (\(why)). See: phase0 troubleshoot service" }
                return
                    "check 4 cannot pass (\(containerDown(ctx, names) ?? "Open WebUI's container is not running")). See: phase0 troubleshoot webui"
            }
        )
    }

    static let dockerLabel = "Unplug 4: agent survives docker stop/start"

    /// Measured after the commands ran (or on resume while they were in flight).
    static func survival(_ ctx: StepContext) throws -> Check {
        let names = try ctx.guideAnswers()
        // A cut can land before docker stop ran: the container then still runs from the start
        // the baseline saw, and nothing was tested. Only a start since the baseline proves the
        // stop/start happened; otherwise they are (re-)run, which is harmless by design.
        if let before = baselineStarted(ctx), let now = containerStarted(ctx, names), before == now {
            return Check(
                false, dockerLabel,
                "\(names.webuiContainer) has not been stopped and started since the baseline (started at \(now)): not run yet")
        }
        switch Probe.tmuxHasSession(ctx.host, user: names.user, socket: names.tmuxSocket, session: names.tmuxSession) {
        case .found: break
        case .absent:
            return Check(
                false, dockerLabel,
                "the tmux session \(names.tmuxSession) is gone after docker stop/start: the agent did not survive. See: phase0 troubleshoot service"
            )
        case .unknown(let why):
            return Check(false, dockerLabel, "cannot tell whether the tmux session \(names.tmuxSession) survived (\(why))")
        }
        if let before = baselineCreated(ctx), let now = sessionCreated(ctx, names), before != now {
            return Check(
                false, dockerLabel,
                "the tmux session \(names.tmuxSession) was re-created (created at \(now), was \(before)): the agent restarted during the test. See: phase0 troubleshoot service"
            )
        }
        if let why = containerDown(ctx, names) {
            return Check(
                false, dockerLabel, "\(names.webuiContainer) did not come back after docker start (\(why)). See: phase0 troubleshoot webui")
        }
        return Check(
            true, dockerLabel, "tmux session \(names.tmuxSession) survived docker stop \(names.webuiContainer); docker start: running again"
        )
    }

    static var dockerRestart: Action {
        Action(
            id: "unplug-4-docker",
            title: "Unplug check 4: stop and start Open WebUI; the agent's tmux session must survive",
            why:
                "The agent and Open WebUI are independent: Docker going down must not take the TUI with it. If it does: phase0 troubleshoot service; if the container does not come back: phase0 troubleshoot webui.",
            kind: .commands { ctx in
                let container = try ctx.guideAnswers().webuiContainer
                let docker = ctx.docker
                return [docker.change(["stop", container], timeout: 120), docker.change(["start", container], timeout: 120)]
            },
            check: { ctx in
                // A test, not a state: it passes by being run. Passed before: not redone on resume;
                // failed or never run: run (again); in flight: measure now.
                let record = ctx.record(of: "unplug-4-docker")
                switch record?.status {
                case .done?, .alreadyDone?: return Check(true, dockerLabel, record?.note ?? "passed")
                case .inFlight?, .interrupted?: return try survival(ctx)
                default:
                    return Check(false, dockerLabel, record?.status == .failed ? "failed before: \(record?.note ?? "")" : "not run yet")
                }
            }
        )
    }

    // MARK: - Check 5: detached, Docker survives

    static func detachedCheck(_ ctx: StepContext) throws -> Check {
        let names = try ctx.guideAnswers()
        let label = "Unplug 5: tmux detached, Open WebUI still running"
        let clients: Int
        switch Probe.tmuxAttachedClients(ctx.host, user: names.user, socket: names.tmuxSocket, session: names.tmuxSession) {
        case .found(let count): clients = count
        case .absent: return Check(false, label, "no tmux session \(names.tmuxSession) for \(names.user). See: phase0 troubleshoot service")
        case .unknown(let why):
            return Check(false, label, "cannot tell who is attached to \(names.tmuxSession) (\(why)). See: phase0 troubleshoot service")
        }
        if let why = containerDown(ctx, names) { return Check(false, label, "\(why). See: phase0 troubleshoot webui") }
        guard clients == 0 else {
            return Check(false, label, "\(clients) client\(clients == 1 ? "" : "s") still attached to \(names.tmuxSession)")
        }
        return Check(true, label, "no client attached to \(names.tmuxSession); \(names.webuiContainer) running")
    }

    static var detached: Action {
        Action(
            id: "unplug-5-detached",
            title: "Unplug check 5: detach from tmux; Open WebUI keeps running",
            why: "Detaching only closes your view of the TUI; the agent and Docker keep running without you.",
            kind: .operatorTask { ctx in
                let session = ctx.answerOrDefault(.tmuxSession) ?? ""
                return
                    "A terminal is still attached to the tmux session \(session). In that terminal press Ctrl-B, then D, to detach (the agent keeps running)."
                    + ctx.practiceHint("detaches")
            },
            check: { ctx in try detachedCheck(ctx) },
            refuse: { ctx in
                // A check that throws has thrown already, before the refusal is asked.
                guard !ctx.options.dryRun, let check = try? detachedCheck(ctx), check.detail.contains("See: phase0 troubleshoot") else {
                    return nil
                }
                return check.detail
            }
        )
    }

    // MARK: - Verify

    static func verify(_ ctx: StepContext) throws -> [Check] {
        let record = ctx.record(of: "unplug-4-docker")
        let passed = [ActionStatus.done, .alreadyDone].contains(record?.status)
        return [
            observed(.unplugLidClosed, "Unplug 1: lid closed 5 min")(ctx),
            observed(.unplugPhoneChat, "Unplug 2: phone chat works")(ctx),
            observed(.unplugTmuxIntact, "Unplug 3: TUI intact")(ctx),
            Check(passed, dockerLabel, passed ? (record?.note ?? "passed") : "not passed yet"),
            try detachedCheck(ctx),
        ]
    }
}
