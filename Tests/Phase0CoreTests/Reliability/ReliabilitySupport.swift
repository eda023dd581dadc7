@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
import Phase0Steps

/// Shared by the reliability tests (issue 5): answers for every question, the in-process
/// engine on a practice Spark, and how two resume files are compared "timestamps aside".
/// (Programs, temporary directories and the built binary come from Phase0TestKit.)
enum Rel {
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

    static func environment(home: String) -> [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "XDG_STATE_HOME": home + "/state", "LANG": "C.UTF-8"]
    }

    /// The practice wizard with answers for every question and -y, state under `home`, on the
    /// guide's Spark where Open WebUI already has its first account (so -y can go past Step 3:
    /// nobody registers one during an unattended run). A scenario in `extra` replaces it.
    static func practiceArgs(binary: String = phase0Binary, answersPath: String, extra: [String] = []) -> [String] {
        [binary, "--practice", "-y", "--answers", answersPath]
            + (extra.contains("--scenario") ? extra : ["--scenario", accountScenario] + extra)
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
    /// `commands` is each action's record of what ran: a cut run holds its first attempt's too.
    static let volatileKeys: Set<String> = ["updatedAt", "startedAt", "finishedAt", "attempts", "commands"]

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
        let fixed = clock
        let wizard = EngineRun(
            steps, on: makeHost(practice), reader: reader, progress: progress, answersFile: answers,
            options: RunOptions(assumeYes: assumeYes), store: store, transcript: transcript, clock: { fixed }, sudo: sudo)
        recorder?.host = practice
        let outcome: RunOutcome
        if let recorder {
            outcome = FaultInjection.$observer.withValue({ recorder.observe($0) }) { wizard.run() }
        } else {
            outcome = wizard.run()
        }
        return (outcome, practice.machine, wizard.text)
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
