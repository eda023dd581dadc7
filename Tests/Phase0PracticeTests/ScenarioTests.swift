@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Testing

/// `--scenario FILE`: a good one changes the simulated Spark; a bad one is refused, named, left alone.
@Suite struct ScenarioFileTests {
    @Test func aGoodScenario() throws {
        let dir = try TempDir("scenario", memory: true)
        let path = dir.path + "/scenario.json"
        try write(#"{"description": "full disk", "filesystem": {"type": "xfs", "freeGiB": 10}, "swaps": [], "memory": {"availableMiB": 100}}"#,
                  to: path, mode: 0o644)
        let machine = try Scenario.load(path).apply()
        #expect(machine.mounts[0].fstype == "xfs")
        #expect(machine.mounts[0].availBytes == 10 * ByteSize.giB)
        #expect(machine.swaps.isEmpty)
        #expect(machine.memAvailableKiB == 100 * 1024)
    }

    @Test(arguments: [
        (#"{"swap": []}"#, "unknown key \"swap\""),
        (#"{"filesystem": {"type": "ext4", "free": 10}}"#, "unknown key \"free\" in filesystem"),
        (#"{"swaps": [{"path": "/s", "sizeGiB": 1, "size": 2}]}"#, "unknown key \"size\""),
        (#"{"filesystem": {"freeGiB": "lots"}}"#, "wrong type at \"filesystem.freeGiB\""),
        (#"{"swaps": {"path": "/s"}}"#, "wrong type at \"swaps\""),
        (#"{"programs": {"mosh": "yes"}}"#, "wrong type at \"programs.mosh\""),
        (#"{"swaps": [{"path": "/s"}]}"#, "missing key \"sizeGiB\""),
        (#"{"filesystem": {"freeGiB": -1}}"#, "filesystem.freeGiB must be between 0 and 1000000"),
        (#"{"swaps": [{"path": "/s", "sizeGiB": -16}]}"#, "sizeGiB must be between 0 and 16384"),
        (#"{"swaps": [{"path": "/s", "sizeGiB": 0}]}"#, "sizeGiB must be between 0 and 16384"),
        (#"{"swaps": [{"path": "/s", "sizeGiB": 16, "usedGiB": -1}]}"#, "usedGiB must be between 0 and sizeGiB"),
        (#"{"swaps": [{"path": "/s", "sizeGiB": 16, "usedGiB": 17}]}"#, "usedGiB must be between 0 and sizeGiB"),
        (#"{"swaps": [{"path": "s", "sizeGiB": 16}]}"#, "must be an absolute path"),
        (#"{"memory": {"availableMiB": -5}}"#, "memory.availableMiB must be between 0"),
        (#"{"memory": {"totalGiB": 0}}"#, "memory.totalGiB must be between 0 and 4096"),
        (#"{"services": {"ollama.service": "running"}}"#, "must be \"active\", \"inactive\" or \"missing\""),
        (#"{"files": {"etc/fstab": ""}}"#, "must be an absolute path"),
        ("[]", "is not a valid scenario"),
        ("", "is empty"),
    ])
    func aBadScenarioIsRefused(text: String, problem: String) throws {
        let dir = try TempDir("scenario", memory: true)
        let path = dir.path + "/scenario.json"
        try write(text, to: path, mode: 0o644)
        try expectRefused(path, problem) { _ = try Scenario.load(path) }
    }
}

