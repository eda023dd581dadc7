@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
import Phase0Steps

/// Shared by the reliability tests (issue 5): the built binary, temporary directories,
/// answers for every question, the in-process engine on a practice Spark, and how two resume
/// files are compared "timestamps aside".
enum Rel {
    // MARK: The built binary

    /// `phase0` beside the test bundle (swift test builds it with the tests).
    static var binary: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
        // Linux: .build/debug/phase0PackageTests.xctest is the test executable itself.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("phase0").path
    }

    /// A fresh private directory, removed by the caller's `defer`. `memory`: on /dev/shm
    /// (tmpfs) when there is one, for the kill tests: each save fsyncs twice, which costs
    /// ~5 ms on a disk and nothing in memory, and a SIGKILL does not lose the page cache, so
    /// the disk adds time and proves nothing more there.
    static func tempDir(_ label: String, memory: Bool = false) throws -> String {
        let base = memory && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/phase0-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: made)
    }

    static func remove(_ path: String) {
        _ = chmodTree(path)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Makes a tree deletable again after a test made part of it read-only.
    @discardableResult static func chmodTree(_ path: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return false }
        chmod(path, 0o755)
        while let item = walker.nextObject() as? String { chmod(path + "/" + item, 0o755) }
        return true
    }

    static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    static func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    // MARK: Answers

    /// The guide's defaults for every answer key the procedure may ask, the unplug
    /// observations answered yes (DESIGN.md §1).
    static let everyAnswer: [String: String] = [
        "user": "vybnz69", "home": "/home/vybnz69", "repoDir": "/home/vybnz69/Vybn",
        "agentDir": "/home/vybnz69/Vybn/spark", "venvPython": "/home/vybnz69/.venv/spark/bin/python",
        "swapfile": "/swapfile", "swapSize": "128G", "swappiness": "10", "installMosh": "yes",
        "tmuxSession": "vybn", "unitName": "vybn-agent.service", "ollamaUnit": "ollama.service",
        "ollamaURL": "http://127.0.0.1:11434", "model": "vybn:latest",
        "webuiImage": "ghcr.io/open-webui/open-webui:main", "webuiContainer": "open-webui",
        "webuiVolume": "open-webui", "webuiPort": "3000", "webuiNetwork": "auto",
        "replaceTmuxSession": "no", "replaceContainer": "no",
        "unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes",
    ]

    /// The keys the binary accepts today: whatever Steps/ asks, plus the operator account.
    static var knownKeys: Set<String> { Procedure.answerKeys().union([OperatorAccount.key]) }

    /// Answers for every question the current procedure has (an unknown key is exit 65).
    static var answers: [String: String] { everyAnswer.filter { knownKeys.contains($0.key) } }

    static func answersJSON(_ answers: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: answers, options: [.sortedKeys]), as: UTF8.self)
    }

    // MARK: Running the binary

    struct Finished {
        var status: Int32
        /// The signal that ended it, when one did (9 for SIGKILL).
        var signal: Int32?
        var output: String
        var killed: Bool { signal == SIGKILL }
    }

    static func environment(home: String) -> [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "XDG_STATE_HOME": home + "/state", "LANG": "C.UTF-8"]
    }

    /// Runs `argv` (posix_spawn, no shell) with stdin from `input` or /dev/null and output to
    /// a file; with `killAfter`, SIGKILLs it that many seconds after the spawn; in any case
    /// after `timeout`, so a hang fails instead of blocking the suite.
    static func run(_ argv: [String], environment: [String: String], input: String? = nil,
                    killAfter: Double? = nil, timeout: Double = 60) throws -> Finished {
        let scratch = try tempDir("spawn", memory: true)
        defer { remove(scratch) }
        let inputPath = scratch + "/stdin", outputPath = scratch + "/output"
        try write(input ?? "", to: inputPath)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        if let killAfter {
            usleep(useconds_t(killAfter * 1_000_000))
            kill(pid, SIGKILL)
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(500)
        }
        let output = String(decoding: read(outputPath) ?? Data(), as: UTF8.self)
        let signal = status & 0x7f
        return Finished(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, signal: signal == 0 ? nil : signal, output: output)
    }

    /// The practice wizard with answers for every question and -y, state under `home`, on the
    /// guide's Spark where Open WebUI already has its first account (so -y can go past Step 3:
    /// nobody registers one during an unattended run). A scenario in `extra` replaces it.
    static func practiceArgs(binary: String = Rel.binary, answersPath: String, extra: [String] = []) -> [String] {
        [binary, "--practice", "-y", "--answers", answersPath] + (extra.contains("--scenario") ? extra : ["--scenario", accountScenario] + extra)
    }

    /// `{"webuiAccounts": 1}`, written once per test process.
    static let accountScenario: String = {
        let path = NSTemporaryDirectory() + "/phase0-rel-account-\(getpid()).json"
        try? Data(#"{"webuiAccounts": 1}"#.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }()

    /// The guide's simulated Spark with Open WebUI's first account registered.
    static func spark() -> SimulatedSpark {
        var machine = SimulatedSpark()
        machine.webuiAccounts = 1
        return machine
    }

    static func statePath(home: String) -> String { home + "/state/phase0/practice.json" }

    // MARK: Comparing resume files

    /// Keys that differ between two honest runs: wall-clock times, and how often an action's
    /// commands were started (a cut in flight legitimately re-runs it; checked separately).
    static let volatileKeys: Set<String> = ["updatedAt", "startedAt", "finishedAt", "attempts"]

    /// The resume file as canonical JSON without the volatile keys.
    static func normalized(_ data: Data, dropping extra: Set<String> = []) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data)
        let cleaned = strip(object, keys: volatileKeys.union(extra))
        return String(decoding: try JSONSerialization.data(withJSONObject: cleaned, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
    }

    private static func strip(_ value: Any, keys: Set<String>) -> Any {
        if let object = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, inner) in object where !keys.contains(key) { result[key] = strip(inner, keys: keys) }
            return result
        }
        if let array = value as? [Any] { return array.map { strip($0, keys: keys) } }
        return value
    }

    /// Step:action -> attempts, from a resume file.
    static func attempts(_ data: Data) throws -> [String: Int] {
        let progress = try Progress.decodePractice(data)
        var result: [String: Int] = [:]
        for step in progress.steps { for action in step.actions { result["\(step.number):\(action.id)"] = action.attempts } }
        return result
    }

    /// First differing line of two texts, for a readable failure.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let left = a.split(separator: "\n", omittingEmptySubsequences: false)
        let right = b.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? String(left[index]) : "<end>"
            let r = index < right.count ? String(right[index]) : "<end>"
            if l != r { return "line \(index + 1): \(l)  <>  \(r)" }
        }
        return "identical"
    }

    // MARK: Machine invariants

    /// Active fstab lines that mount `swapfile` as swap.
    static func activeSwapfileLines(_ machine: SimulatedSpark, swapfile: String = "/swapfile") -> Int {
        Fstab.activeSwapDevices(in: machine.files["/etc/fstab"]?.content ?? "").filter { $0 == swapfile }.count
    }

    /// Change commands that may run twice by design: re-running them cannot do harm or differ
    /// (setting a mode or a sysctl again, re-writing phase0's own temporary file, extending a
    /// file to the size it already has, asking systemd/apt for a state already reached).
    static func idempotentByDesign(_ display: String) -> Bool {
        var words = display.split(separator: " ").map(String.init)
        while let first = words.first, ["sudo", "-n", "timeout"].contains(first) || Int(first) != nil { words.removeFirst() }
        guard let program = words.first else { return false }
        switch program {
        case "chmod", "sysctl", "fallocate", "apt-get", "daemon-reload": return true
        case "install": return words.contains { $0.hasSuffix(".phase0-new") }
        case "systemctl": return words.count > 1 && ["daemon-reload", "enable", "start", "restart", "reset-failed"].contains(words[1])
        case "tailscale": return words.count > 1 && ["serve", "set"].contains(words[1])
        case "ufw": return words.count > 1 && words[1] == "allow"
        default: return false
        }
    }

    /// Change commands of `history` that ran more than once and are not idempotent by design.
    static func harmfulRepeats(_ history: [String]) -> [String] {
        var seen: [String: Int] = [:]
        for entry in history { seen[entry, default: 0] += 1 }
        return seen.filter { $0.value > 1 && !idempotentByDesign($0.key) }.keys.sorted()
    }
}

// MARK: - The engine in-process, on a practice Spark

/// Runs the real Engine over Procedure.steps() in this process, saving to a real resume file,
/// with a fixed clock and no terminal (answers and -y only).
struct InProcessRun {
    let statePath: String
    let answers: [String: String]
    var clock = "2026-01-01T00:00:00Z"

    init(statePath: String, answers: [String: String] = Rel.answers) {
        self.statePath = statePath
        self.answers = answers
    }

    /// One run: the progress from the resume file (or a new one), the machine given.
    func run(machine: SimulatedSpark, host makeHost: (PracticeHost) -> Phase0Core.Host = { $0 },
             reader: LineReader = ScriptedLineReader([]), assumeYes: Bool = true,
             transcript: Transcript? = nil, recorder: CutRecorder? = nil,
             sudo: SudoGate = SudoGate()) throws -> (outcome: RunOutcome, machine: SimulatedSpark, output: String) {
        let directory = (statePath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let steps = Procedure.steps()
        let store = StateStore(path: statePath, snapshotType: SimulatedSpark.self)
        let practice = PracticeHost(machine: machine)
        let progress = try store.load() ?? Progress(mode: .practice, stepCount: steps.count, machine: machine, now: clock)
        let output = CapturedOutput()
        let fixed = clock
        let engine = Engine(steps: steps, host: makeHost(practice), output: output, reader: reader, progress: progress,
                            store: store, transcript: transcript, answersFile: answers, answersPath: "answers.json",
                            options: RunOptions(assumeYes: assumeYes), clock: { fixed }, sudo: sudo)
        recorder?.host = practice
        let outcome: RunOutcome
        if let recorder {
            outcome = FaultInjection.$observer.withValue({ recorder.observe($0) }) { engine.run() }
        } else {
            outcome = engine.run()
        }
        return (outcome, practice.machine, output.text)
    }
}

/// What a SIGKILL at one instant leaves behind: the resume file's bytes as they were on disk
/// and, for the live-like model, the machine as it was (its effects survive the kill).
struct Cut {
    var point: String
    var state: Data?
    var machine: SimulatedSpark
}

/// Watches the engine's cut points and snapshots the instant(s) asked for.
final class CutRecorder: @unchecked Sendable {
    private(set) var points: [String] = []
    private(set) var cuts: [Cut] = []
    let statePath: String
    /// Index of the one point to snapshot; nil snapshots every point.
    let only: Int?
    weak var host: PracticeHost?

    init(statePath: String, only: Int? = nil) {
        self.statePath = statePath
        self.only = only
    }

    func observe(_ point: String) {
        let index = points.count
        points.append(point)
        guard only == nil || only == index, let host else { return }
        cuts.append(Cut(point: "\(point)#\(index)", state: Rel.read(statePath), machine: host.machine))
    }
}
