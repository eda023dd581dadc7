import Phase0Parsers
import Phase0Core
#if canImport(Glibc)
import Glibc
#endif

/// Puts an undo run together like a wizard run: the resume file (locked, saved after every
/// action), the transcript, the line reader, the machine it names, and the same Engine over
/// the undo steps. Without a resume file there is nothing phase0 did to undo.
public enum UndoRun {
    public static let texts = EngineTexts(
        opening: "phase0 undo: reversing what phase0 did, newest step first. Only what the resume file says phase0 made is removed; everything else is left, and said so.",
        complete: "Undo complete: what phase0 did in these steps is reversed and verified (its backups and transcript stay).",
        dryRunComplete: "Dry run finished: every undo command above was printed, none was run, nothing was saved.")

    public static func run(_ config: WizardConfig, target: UndoProcedure.Target, purge: Bool,
                           output: Output = StandardOutput()) -> Int32 {
        InterruptFlag.install()
        let store = config.makeStore()
        do {
            guard try store.load() != nil else {
                output.write("Nothing to undo: there is no resume file at \(store.path), so phase0 did nothing recorded there.\n")
                return ExitStatus.complete
            }
            if !config.options.dryRun { try store.lock() }
            // Read again under the lock: another phase0 may have saved in between.
            guard let progress = try store.load() else { return ExitStatus.complete }
            let wanted: RunMode = config.practice ? .practice : .live
            guard progress.mode == wanted else {
                throw InputFileError(path: store.path, problem: "holds a \(progress.mode.rawValue) run, but this is a \(wanted.rawValue) undo; add or drop --practice")
            }
            let host = try config.hosts.makeHost(saved: progress.machine, scenarioPath: nil).host
            let reader: LineReader = isatty(0) == 1
                ? ReadlineLineReader(historyPath: store.directory + "/history", paths: host.pathCompleter)
                : PlainLineReader(output: output)
            if purge, !config.options.dryRun, includesStep3(target), !(try confirmPurge(progress, reader: reader, output: output)) {
                output.write("Nothing was changed: --purge was not confirmed. (Without --purge, undo keeps Open WebUI's volume.)\n")
                return ExitStatus.interrupted
            }
            let transcript = config.options.dryRun ? nil : Transcript(path: store.path + ".transcript.log")
            let engine = Engine(steps: UndoProcedure.steps(for: target, purge: purge), host: host, output: output, reader: reader,
                                progress: progress, store: store, transcript: transcript, options: config.options,
                                clock: utcTimestamp, texts: texts)
            return ExitStatus.of(engine.run())
        } catch {
            return exitStatus(reporting: error, to: output)
        }
    }

    static func includesStep3(_ target: UndoProcedure.Target) -> Bool {
        if case .step(let number) = target { return number == 3 }
        return true
    }

    /// --purge deletes accounts and chats: it is asked again, in person, whatever -y says.
    static func confirmPurge(_ progress: Progress, reader: LineReader, output: Output) throws -> Bool {
        let volume = progress.answers["webuiVolume"] ?? GuideDefaults.value("webuiVolume", answers: [:]) ?? "open-webui"
        output.write("""
            --purge removes Open WebUI's volume \(volume): every account and chat in it is deleted, for good.
            -y does not answer this; type the volume's name to go on (anything else stops, nothing changed).

            """)
        guard let typed = try reader.readLine(prompt: "Volume to delete: ", completion: .none) else { return false }
        return typed.trimmingWhitespace() == volume
    }
}
