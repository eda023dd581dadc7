@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// Bounded, seeded fuzzing of the parsers (issue 5): /proc/swaps, /proc/meminfo, fstab
/// editing, the resume, answers and scenario files, the Redactor. No input may crash them;
/// fstab editing must keep every unrelated line byte for byte, leave exactly one swapfile
/// line, and change nothing the second time. PHASE0_FUZZ_ITERATIONS scales every target
/// (CI keeps the default); PHASE0_FUZZ_SEED replays a run. The same parsers also have a
/// libFuzzer target: Tests/reliability/fuzz/run.sh.
@Suite struct ReliabilityFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations = Int(environment["PHASE0_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let seed = UInt64(environment["PHASE0_FUZZ_SEED"] ?? "") ?? 0xF022

    struct Gen {
        var random: SplitMix64
        mutating func int(_ bound: Int) -> Int { Int(random.next() % UInt64(max(bound, 1))) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
        mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
        /// Bytes of any kind, invalid UTF-8 included (decoded leniently, as the parsers see files).
        mutating func noise(_ length: Int) -> String {
            let alphabet = Array(" \t\n\r#\\:/-0123456789abcswapfilenoe\u{0}é€😀=\"'%$".unicodeScalars)
            if chance(20) {
                return String(decoding: (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }, as: UTF8.self)
            }
            return String(String.UnicodeScalarView((0..<length).map { _ in pick(alphabet) }))
        }
        mutating func blank() -> String { pick([" ", "\t", "  ", " \t ", "\t\t"]) }
        mutating func number() -> String {
            pick(["0", "-1", "4", "16777212", "134217724", "99999999999999999999", "1e9", "0x10", "", "٣", "18446744073709551615"])
        }
    }

    // MARK: /proc/swaps and /proc/meminfo

    @Test func procSwapsNeverCrashesAndRoundTrips() {
        var gen = Gen(random: SplitMix64(seed: Self.seed))
        for _ in 0..<Self.iterations {
            var lines = gen.chance(70) ? ["Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority"] : []
            for _ in 0..<gen.int(6) {
                lines.append(gen.chance(60)
                    ? [gen.pick(["/swap.img", "/swapfile", "/dev/nvme0n1p3", "/a\\040b", "/x\\777", "/t\\", gen.noise(5)]),
                       gen.pick(["file", "partition", gen.noise(3)]), gen.number(), gen.number(), gen.number()].joined(separator: gen.blank())
                    : gen.noise(gen.int(40)))
            }
            _ = try? ProcSwaps.parse(lines.joined(separator: "\n"))
            // What the kernel can print, phase0 reads back exactly (spaces arrive as \040).
            let areas = (0..<gen.int(4)).map { _ in
                SwapArea(path: "/" + String((0..<gen.int(12) + 1).map { _ in gen.pick(Array("abc -_.XYZ019")) }),
                         type: gen.pick(["file", "partition"]), sizeKiB: Int64(gen.int(1 << 30)), usedKiB: Int64(gen.int(1 << 20)),
                         priority: gen.int(200) - 100)
            }
            #expect((try? ProcSwaps.parse(ProcSwaps.render(areas))) == areas, "\(areas)")
        }
    }

    @Test func procMeminfoNeverCrashes() {
        var gen = Gen(random: SplitMix64(seed: Self.seed &+ 1))
        for _ in 0..<Self.iterations {
            let keys = ["MemTotal", "MemAvailable", "SwapTotal", "SwapFree", "Cached", gen.noise(4)]
            let text = (0..<gen.int(8)).map { _ in
                gen.chance(75) ? "\(gen.pick(keys)):\(gen.blank())\(gen.number())\(gen.pick([" kB", "", " MB", gen.noise(2)]))" : gen.noise(gen.int(30))
            }.joined(separator: gen.pick(["\n", "\r\n"]))
            if let info = try? MemInfo.parse(text) {
                #expect(info.memTotalKiB >= 0 && info.swapFreeKiB >= 0)
            }
        }
    }

    // MARK: fstab editing

    static func fstabLine(_ gen: inout Gen, swapfile: String) -> String {
        let options = gen.pick(["sw", "defaults", "sw,pri=5", "noauto"])
        switch gen.int(10) {
        case 0: return gen.pick(["", "#", "# /etc/fstab: static file system information.", "#/swap.img none swap sw 0 0", "  # indented comment"])
        case 1: return ["/swap.img", "none", "swap", options, "0", "0"].joined(separator: gen.blank())
        case 2: return [swapfile, "none", "swap", options, "0", "0"].joined(separator: gen.blank())
        case 3: return [swapfile, "/mnt", "ext4", "defaults", "0", "2"].joined(separator: gen.blank())
        case 4: return ["UUID=5c8f3f0e-2b7c", "/", "ext4", "defaults", "0", "1"].joined(separator: gen.blank())
        case 5: return gen.blank() + ["/swap.img", "none", "swap", "sw"].joined(separator: gen.blank()) + gen.blank()
        case 6: return "LABEL=swap.img none swap sw 0 0"                           // mentions swap.img, is not it
        case 7: return "/srv/data /data ext4 defaults,comment=/swap.img 0 2"      // mentions it in options
        case 8: return gen.noise(gen.int(60))
        default: return ["tmpfs", "/tmp", "tmpfs", "mode=1777", "0", "0"].joined(separator: gen.blank()) + gen.pick(["", "\r"])
        }
    }

    @Test func fstabEditingKeepsUnrelatedLinesAndIsIdempotent() throws {
        var gen = Gen(random: SplitMix64(seed: Self.seed &+ 2))
        for _ in 0..<Self.iterations {
            let swapfile = gen.pick(["/swapfile", "/swap$(x)`y`", "/var/lib/swap"])
            var lines = (0..<gen.int(12)).map { _ in Self.fstabLine(&gen, swapfile: swapfile) }
            if lines.contains(where: { $0.contains("\n") }) { lines = lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } }
            let text = lines.joined(separator: "\n") + (gen.chance(80) ? "\n" : "")
            let edit = Fstab.ensureSwapfile(in: text, swapfile: swapfile)
            let before = Self.lines(text), after = Self.lines(edit.text)
            let label = "fstab \(text.debugDescription)"
            // Every line stays, in order, byte for byte, or is commented out when it is one of ours.
            #expect(after.count == before.count || after.count == before.count + 1, "\(label)")
            for (index, line) in before.enumerated() where index < after.count {
                if after[index] == line { continue }
                let device = Fstab.device(of: String(decoding: line, as: UTF8.self)[...]).map(String.init)
                #expect(after[index] == Array("#".utf8) + line && (device == "/swap.img" || device == swapfile),
                        "\(label): line \(index + 1) changed to \(String(decoding: after[index], as: UTF8.self).debugDescription)")
            }
            if after.count == before.count + 1 { #expect(after.last == Array(Fstab.entryLine(swapfile: swapfile).utf8)) }
            let active = Fstab.activeSwapDevices(in: edit.text)
            #expect(active.filter { $0 == swapfile }.count == 1, "\(label): \(active)")
            #expect(!active.contains("/swap.img"), "\(label)")
            let again = Fstab.ensureSwapfile(in: edit.text, swapfile: swapfile)
            #expect(again.changes.isEmpty && again.text == edit.text, "\(label): not idempotent: \(again.changes)")
            #expect(edit.changes.isEmpty == (edit.text == text))
        }
    }

    /// Lines as bytes (mount's view; Swift's Characters would glue "\r\n" together).
    static func lines(_ text: String) -> [[UInt8]] {
        var result = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if text.utf8.last == 0x0A { result.removeLast() }
        return text.isEmpty ? [] : result
    }

    // MARK: Files phase0 reads

    /// Mutations of a valid file: flipped bytes, cuts, type swaps, stray keys, junk.
    static func mutate(_ data: Data, _ gen: inout Gen) -> Data {
        var bytes = [UInt8](data)
        for _ in 0..<(gen.int(3) + 1) {
            guard !bytes.isEmpty else { break }
            let at = gen.int(bytes.count)
            switch gen.int(7) {
            case 0: bytes[at] ^= UInt8(truncatingIfNeeded: gen.random.next() | 1)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + gen.int(40) + 1))
            case 2: bytes = Array(bytes.prefix(at))
            case 3: bytes.insert(contentsOf: Array(gen.pick([#""x": 1,"#, "null", "[", "}", #"""#, "\u{0}", "1e999", #""format": 99,"#, "-0"]).utf8), at: at)
            case 4: if let brace = bytes.firstIndex(of: UInt8(ascii: "{")) { bytes.insert(contentsOf: Array(#""zz": [1, {"a": null}],"#.utf8), at: brace + 1) }
            case 5: bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: gen.pick(["\"done\"", "true", "1", "\"/swapfile\""]), with: gen.pick(["7", "\"7\"", "[]", "{}", "false", "null"])).utf8)
            default: bytes.insert(contentsOf: Array(gen.noise(gen.int(10)).utf8), at: at)
            }
        }
        return Data(bytes)
    }

    @Test func resumeAnswersAndScenarioFilesNeverCrashTheReaders() throws {
        let scratch = try TempDir("fuzz-files", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        let statePath = directory + "/reference.json"
        _ = try InProcessRun(statePath: statePath).run(machine: Rel.spark())
        let resume = try #require(Rel.read(statePath))
        let answers = Data(#"{"swapSize": "128G", "swapfile": "/swapfile", "swappiness": "10"}"#.utf8)
        let scenario = Data(#"{"description": "x", "swaps": [{"path": "/swap.img", "sizeGiB": 16, "usedGiB": 1.7}], "filesystem": {"type": "btrfs", "freeGiB": 100}, "programs": {"mosh": true}, "files": {"/etc/x": "y"}}"#.utf8)
        var gen = Gen(random: SplitMix64(seed: Self.seed &+ 3))
        var loaded = 0, refused = 0
        let path = directory + "/fuzzed.json"
        for round in 0..<(Self.iterations / 5) {
            let kind = round % 3
            let mutated = Self.mutate([resume, answers, scenario][kind], &gen)
            unlink(path)
            try mutated.write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
            do {
                switch kind {
                case 0:
                    let store = StateStore(path: path, snapshotType: SimulatedSpark.self)
                    if let progress = try store.load() {
                        // What loads must save and load back as the same progress.
                        try store.save(progress)
                        #expect(try store.load() == progress.redacted())
                    }
                case 1: _ = try loadAnswersFile(path, knownKeys: ["swapSize", "swapfile", "swappiness"])
                default: _ = try Scenario.load(path).apply()
                }
                loaded += 1
            } catch is InputFileError {
                refused += 1
            } catch {
                Issue.record("kind \(kind): an error that is not an InputFileError: \(error)")
            }
        }
        #expect(refused > 0 && loaded > 0)
        print("fuzz: \(Self.iterations) inputs each for /proc/swaps, /proc/meminfo, fstab; \(loaded + refused) mutated resume/answers/scenario files (\(loaded) loaded, \(refused) refused with exit-65 errors); seed \(Self.seed)")
    }

    @Test func theRedactorNeverCrashesAndNeverLetsAPlantedKeyThrough() {
        var gen = Gen(random: SplitMix64(seed: Self.seed &+ 4))
        for _ in 0..<Self.iterations {
            let secret = "tskey-auth-" + String((0..<16).map { _ in gen.pick(Array("abcXYZ0123456789")) })
            let text = gen.noise(gen.int(80)) + gen.pick([" ", "\n", "=", ""]) + secret + gen.pick([" ", "\n", "\"", ""]) + gen.noise(gen.int(80))
            let masked = Redactor.redact(text)
            #expect(!masked.contains(secret), "\(text.debugDescription)")
            #expect(Redactor.redact(masked) == masked)
            _ = Redactor.redact(gen.noise(gen.int(200)))
        }
    }
}
