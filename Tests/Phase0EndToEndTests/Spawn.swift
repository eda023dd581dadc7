import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The built phase0 (or any program) started the way a shell starts it: every signal at its
/// default disposition and none blocked, whatever the test runner ignores or blocks; standard
/// descriptors as asked (some may be closed); stdout and stderr into one file.
struct Spawned {
    var status: Int32
    var output: String

    static func run(_ argv: [String], environment: [String: String], input: String? = nil,
                    closed: Set<Int32> = [], timeout: Double = 60) throws -> Spawned {
        var template = Array("\(NSTemporaryDirectory())/phase0-spawn-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PTYError(description: "mkdtemp") }
        let scratch = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let inputPath = scratch + "/stdin", outputPath = scratch + "/output"
        try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if closed.contains(0) {
            posix_spawn_file_actions_addclose(&actions, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        }
        // The first of stdout and stderr left open writes the output file; the other joins it.
        let writer = ([1, 2] as [Int32]).first { !closed.contains($0) }
        for fd: Int32 in [1, 2] {
            if closed.contains(fd) {
                posix_spawn_file_actions_addclose(&actions, fd)
            } else if fd == writer {
                posix_spawn_file_actions_addopen(&actions, fd, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            } else if let writer {
                posix_spawn_file_actions_adddup2(&actions, writer, fd)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ, SIGTSTP, SIGTTIN, SIGTTOU] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard spawned == 0 else { throw PTYError(description: "posix_spawn \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(2000)
        }
        let signal = status & 0x7f
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        return Spawned(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, output: text)
    }
}

extension Sandbox {
    /// The built phase0 with `arguments`, started as a shell would start it.
    func spawn(_ arguments: [String], input: String? = nil, closed: Set<Int32> = [],
               environment: [String: String]? = nil) throws -> Spawned {
        try Spawned.run([binary] + arguments, environment: environment ?? self.environment, input: input, closed: closed)
    }

    /// The same through `bash -c SETUP; exec phase0 ARGUMENTS` (a ulimit, a umask).
    func spawn(after setup: String, _ arguments: [String]) throws -> Spawned {
        try Spawned.run(["/bin/bash", "-c", setup + "; exec \"$@\"", "bash", binary] + arguments, environment: environment)
    }

    /// Files of the state directory, by name.
    func stateFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory)) ?? []).sorted()
    }
}

/// Characters that must never reach a terminal raw: C0 controls but newline and tab, DEL,
/// C1 controls, and the invisible characters that reorder text.
func rawControlCharacters(in text: String) -> [String] {
    text.unicodeScalars.filter { scalar in
        switch scalar.value {
        case 0x09, 0x0a: return false
        case 0x00...0x1f, 0x7f...0x9f, 0x061c, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: return true
        default: return false
        }
    }.map { String(format: "U+%04X", $0.value) }
}
