import Phase0Parsers
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Ctrl-C handling. The handler only raises a flag; whoever is waiting (a prompt, a running
/// command) notices it, saves what it knows and leaves with exit 130. No SA_RESTART, so a
/// blocking read or poll returns EINTR and sees the flag at once.
public enum InterruptFlag {
    private static let raised = Atomic<Bool>(false)

    public static var isRaised: Bool { raised.load(ordering: .relaxed) }

    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in InterruptFlag.raised.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

}
