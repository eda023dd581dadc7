import Phase0Core
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// Puts an undo run together like a wizard run: the resume file (locked, saved after every
/// action), the transcript, the line reader, the machine it names, and the same Engine over
/// the undo steps. Without a resume file there is nothing phase0 did to undo.
public enum UndoRun {
    public static let texts = EngineTexts(
        opening:
            "phase0 undo: reversing what phase0 did, newest step first. Only what the resume file says phase0 made is removed; everything else is left, and said so.",
        complete: "Undo complete: what phase0 did in these steps is reversed and verified (its backups and transcript stay).",
        dryRunComplete: "Dry run finished: every undo command above was printed, none was run, nothing was saved.")

    /// The run, put together as Wizard.run puts a wizard run together (the same resume-file
    /// checks, lock, line reader and transcript), over the undo steps.
    public static func run(
        _ config: WizardConfig, target: UndoProcedure.Target, purge: Bool,
        output: Output = StandardOutput()
    ) -> RunOutcome {
        InterruptFlag.install()
        let terminal = SavedTerminalModes()
        defer { terminal?.restore() }
        let store = config.makeStore()
        do {
            guard try store.load() != nil else {
                output.write("Nothing to undo: there is no resume file at \(store.path), so phase0 did nothing recorded there.\n")
                return .complete
            }
            if !config.options.dryRun { try store.lock() }
            // Opened again under the lock (another phase0 may have saved in between), with the
            // wizard's checks: the mode, and answers phase0 would have saved.
            let (progress, made) = try Wizard.open(config, store: store, procedure: Procedure.definition())
            let host = made.host
            var options = config.options
            options.sudoUser = config.environment["SUDO_USER"]
            let reader = Wizard.lineReader(config, store: store, host: host, output: output)
            if purge, !config.options.dryRun, includesStep3(target), !(try confirmPurge(progress, reader: reader, output: output)) {
                output.write("Nothing was changed: --purge was not confirmed. (Without --purge, undo keeps Open WebUI's volume.)\n")
                return .stopped("--purge was not confirmed")
            }
            let transcript: Transcript? = try config.options.dryRun ? nil : Transcript.opened(store.path + ".transcript.log")
            let engine = Engine(
                steps: UndoProcedure.steps(for: target, purge: purge), host: host, output: output, reader: reader,
                progress: progress, store: store, transcript: transcript, options: options,
                clock: utcTimestamp, texts: texts)
            return engine.run()
        } catch {
            return .reporting(error, to: output)
        }
    }

    static func includesStep3(_ target: UndoProcedure.Target) -> Bool {
        if case .step(let number) = target { return number == 3 }
        return true
    }

    /// --purge deletes accounts and chats: it is asked again, in person, whatever -y says.
    static func confirmPurge(_ progress: Progress, reader: LineReader, output: Output) throws -> Bool {
        let volume = try AnswerKey.webuiVolume.checked(in: progress.answers, named: "saved answer \"webuiVolume\"")
        output.write(
            """
            --purge removes Open WebUI's volume \(volume): every account and chat in it is deleted, for good.
            -y does not answer this; type the volume's name to go on (anything else stops, nothing changed).

            """)
        guard let typed = try reader.readLine(prompt: "Volume to delete: ", completion: .none) else { return false }
        return typed.trimmingWhitespace() == volume
    }
}
