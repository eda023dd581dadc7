import Phase0Parsers

/// What a run says: its opening, its checks and prose fitted to the terminal, and its ending.
extension Engine {
    func say(_ text: String) { output.write(text + "\n") }

    func banner() throws {
        say(texts.opening)
        if context.options.dryRun {
            sayProse(Messages.dryRunBanner(host.name))
        } else if host.isPractice {
            sayProse(Messages.practiceBanner(host.name))
        } else {
            say("Machine: \(host.name) (LIVE: commands change this machine; each change is shown and asked first).")
        }
        if let store { sayProse("Progress is saved after every action in \(store.path).") }
        try save()
    }

    /// The end of a run: what happened, exactly, and (after the whole procedure) the summary.
    func finish() throws {
        if context.options.dryRun {
            // Nothing ran, so nothing is verified: never claim completion after a dry run.
            say("\n" + texts.dryRunComplete)
            return
        }
        if let only = context.options.onlyStep {
            say("\nStep \(only) redone and verified.")
            return
        }
        let skipped = steps.filter { context.progress.step($0.number)?.status == .skipped }
        say(
            skipped.isEmpty
                ? "\n" + texts.complete
                : "\nPhase 0 complete; " + skipped.map { "Step \($0.number) skipped (\($0.title))" }.joined(separator: ", ")
                    + ". Every other step is done and verified.")
        if let summary = presentation.summary {
            say("")
            for line in summary(context) { say(TextLayout.wrap(line, width: presentation.width)) }
        }
        if let transcript { sayProse("Transcript of every command phase0 ran, with its output: \(transcript.path)") }
    }

    /// The line every stop ends with: where the progress is, and how to go on in this mode.
    var progressKept: String {
        guard let path = store?.path else { return "Nothing was saved (dry run)." }
        let mode = host.isPractice ? " --practice" : ""
        return "Progress is saved in \(path). Run `phase0\(mode)` again to resume where it stopped (`phase0 reset\(mode)` starts over)."
    }

    /// Checks on screen: a heading, then one check a line (readable at 80 columns).
    func sayChecks(_ heading: String, _ checks: [Check]) {
        say(heading)
        for check in checks {
            say(
                TextLayout.wrap(
                    (check.ok ? "  - " : "  ! ") + (check.detail.isEmpty ? check.label : "\(check.label) (\(check.detail))"),
                    width: presentation.width))
        }
    }

    /// One status line (`[done] …`), wrapped with its continuation indented.
    func sayLine(_ line: String) { say(TextLayout.wrap(line, width: presentation.width)) }

    /// Prose (the guide's reasons, banners), wrapped to the terminal.
    func sayProse(_ text: String) { say(TextLayout.wrap(text, width: presentation.width)) }

    func summary(_ checks: [Check]) -> String {
        checks.map { $0.detail.isEmpty ? $0.label : "\($0.label) (\($0.detail))" }.joined(separator: "; ")
    }
}
