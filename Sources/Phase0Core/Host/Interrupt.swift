import Phase0Parsers
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C, and the signals that mean the same to a wizard: SIGTERM (`kill`, a shutdown),
/// SIGHUP (the SSH connection dropped) and SIGQUIT (Ctrl-\). Their default action would end
/// phase0 on the spot: the terminal left in readline's raw mode, a running `apt-get` or
/// `docker pull` orphaned while the lock is released, the action never recorded. The handler
/// only records which signal came; whoever is waiting (a prompt, a running command, the engine
/// between actions) notices it, stops the child, saves what it knows, and phase0 exits
/// 128 + the signal's number. No SA_RESTART, so a blocking read or poll returns EINTR and
/// sees it at once.
public enum InterruptFlag {
    /// The first signal received, 0 while none.
    private static let received = Atomic<Int32>(0)
    public static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    public static var isRaised: Bool { signal != 0 }
    public static var signal: Int32 { received.load(ordering: .relaxed) }

    /// A pipe the handler writes a byte to. A wait that polls it beside its input cannot miss
    /// a signal that comes after its look at the flag and before the wait begins: a plain
    /// `read` started in that instant would block until the next key (seen under qemu-user,
    /// where that instant is long).
    nonisolated(unsafe) private static var wakeRead: Int32 = -1
    nonisolated(unsafe) private static var wakeWrite: Int32 = -1
    /// For tests only: runs between the look at the flag and the wait.
    nonisolated(unsafe) static var beforeWait: (() -> Void)?

    public static func install() {
        if wakeRead < 0 {
            var ends: [Int32] = [0, 0]
            if pipe(&ends) == 0 {
                for end in ends {
                    _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                }
                (wakeRead, wakeWrite) = (ends[0], ends[1])
            }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            _ = InterruptFlag.received.compareExchange(expected: 0, desired: number, ordering: .relaxed)
            var byte: UInt8 = 1
            _ = write(InterruptFlag.wakeWrite, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in handledSignals {
            sigaction(number, &action, nil)
            sigaddset(&unblocked, number)
        }
        // A parent may start phase0 with these blocked (a thread of a test runner, a service
        // manager); then no handler would ever run and no prompt would ever stop.
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    /// 128 + the signal, as a shell reports a process its signal ended: 130 for Ctrl-C,
    /// 143 for SIGTERM, 129 for SIGHUP, 131 for SIGQUIT.
    public static var exitStatus: Int32 { 128 + (isRaised ? signal : SIGINT) }

    /// A signal other than Ctrl-C stopped the run (the screen says which).
    public static var notCtrlC: Bool { isRaised && signal != SIGINT }

    /// What the operator is told stopped the run.
    public static var cause: String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP (the terminal or SSH connection went away)"
        case SIGQUIT: return "SIGQUIT"
        default: return "Ctrl-C"
        }
    }

    /// The signal a running child gets: Ctrl-C stays Ctrl-C; the others become SIGTERM, which
    /// every program treats as "stop cleanly" (SIGQUIT would make it dump core, SIGHUP is
    /// ignored by some daemons' clients).
    static var forChild: Int32 { signal == SIGINT || !isRaised ? SIGINT : SIGTERM }

    /// Waits until `fd` has input, or its end or an error (the read that follows says which);
    /// false when an interrupt came before or while waiting.
    public static func waitForInput(on fd: Int32) -> Bool {
        while !isRaised {
            beforeWait?()
            var watched = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&watched, 2, -1)
            if isRaised { return false }
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 && watched[0].revents == 0 {
                drainWakePipe()  // a byte left from before a reset
                continue
            }
            return true
        }
        return false
    }

    private static func drainWakePipe() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while wakeRead >= 0 && read(wakeRead, &bytes, bytes.count) > 0 {}
    }

    /// For tests only: forget a previous interrupt.
    public static func reset() {
        received.store(0, ordering: .relaxed)
        drainWakePipe()
    }
}

/// What phase0 sets up first, before any file is opened (main calls it on its first line).
public enum ProcessStart {
    public static func prepare() {
        reopenClosedStandardDescriptors()
        // A file size limit (`ulimit -f`) must make a save fail with EFBIG, which phase0
        // reports while keeping the previous resume file, not kill it silently halfway
        // through writing the temporary file. Children get the default back (ProcessRunner).
        signal(SIGXFSZ, SIG_IGN)
    }

    /// A closed 0, 1 or 2 would be taken by the next file phase0 opens: the lock file would be
    /// read as the operator's answers, or the transcript would receive the screen unredacted.
    /// Each closed one is opened on /dev/null instead, in order, so each open gets its number.
    static func reopenClosedStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}
