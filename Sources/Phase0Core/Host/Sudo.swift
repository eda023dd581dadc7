import Phase0Parsers

/// sudo for a live run by an operator who is not root. Before the first action (whose check
/// may need root probes, and whose commands need root), `sudo -n true` tells whether sudo
/// will act without a password. If not, phase0 says why and runs `sudo -v` itself: sudo
/// asks for the password on the terminal (/dev/tty, not phase0's stdin, which the child gets
/// as /dev/null), so the password goes to sudo alone, never through phase0, and is never
/// stored. sudo's own ticket then covers the commands that follow.
public final class SudoGate {
    /// The program to run; tests point it at a fake (no real sudo in tests).
    let program: String
    public private(set) var ready = false

    public init(program: String = "sudo") { self.program = program }

    func ensure(host: Host, output: Output) throws {
        if ready || host.isPractice || host.invoker == "root" { return }
        // Could not tell whether sudo acts without a password: then ask, as if it did not (sudo -v says why it fails).
        let probe = try? host.run(Command([program, "-n", "true"], timeout: 30))
        if probe?.succeeded == true {
            ready = true
            return
        }
        output.write(Messages.sudoNeeded(as: host.invoker))
        let check = Command([program, "-v"], timeout: nil, streamsOutput: true)
        let result: CommandResult
        do {
            result = try host.run(check) { output.write($0) }
        } catch let interrupt as Interrupted {
            throw interrupt
        } catch {
            throw RunOutcome.failed(Messages.sudoFailed("\(error)"))
        }
        guard result.succeeded else {
            let said = result.output.trimmingWhitespace()
            throw RunOutcome.failed(Messages.sudoFailed(said.isEmpty ? "sudo -v exited with status \(result.exitStatus)" : said))
        }
        ready = true
    }
}

extension Messages {
    static func sudoNeeded(as user: String) -> String {
        """
        The next steps run commands as root with sudo, and sudo needs your password (user \(user)).
        sudo itself asks for it now, on this terminal: phase0 never sees, passes or stores it.

        """
    }

    static func sudoFailed(_ detail: String) -> String {
        "sudo did not give root (\(detail)). Check that \(LiveHost.currentUserName()) may use sudo, run `sudo -v` yourself, then phase0 again; nothing was changed."
    }
}
