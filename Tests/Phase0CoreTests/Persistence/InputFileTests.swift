@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
@testable import Phase0Steps
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing

/// A valid resume file, as a JSON object to break in one place at a time.
func validProgressJSON() throws -> [String: Any] {
    let h = try Harness()
    _ = h.engine.run()
    let data = try #require(FileManager.default.contents(atPath: h.store.path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

@Suite struct ResumeFileTests {
    @Test func aValidFileRoundTrips() throws {
        let h = try Harness()
        _ = h.engine.run()
        let loaded = try h.saved()
        #expect(loaded == h.engine.progress)
        var st = stat()
        #expect(stat(h.store.path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        // Atomic writes leave no temporary files behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.dir.path).sorted() == ["practice.json"])
    }

    @Test func noFileMeansNoProgressYet() throws {
        let dir = try TempDir("resume", memory: true)
        #expect(try StateStore(path: dir.path + "/none.json", snapshotType: SimulatedSpark.self).load() == nil)
    }

    @Test(arguments: [
        ("truncated", "not valid JSON"),
        ("empty", "is empty"),
        ("notJSON", "not valid JSON"),
        ("formatAsString", "wrong type at \"format\""),
        ("answersNotStrings", "wrong type at \"answers"),
        ("stepsNotArray", "wrong type at \"steps\""),
        ("unknownKey", "unknown key \"skipGate\""),
        ("futureFormat", "format version 2"),
        ("practiceWithoutMachine", "a practice run without its simulated machine"),
        ("badStatus", "bad value at \"steps.[0].status\""),
    ])
    func aBrokenResumeFileIsRefusedAndLeftAlone(kind: String, problem: String) throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        var object = try validProgressJSON()
        let valid = try json(object)
        switch kind {
        case "truncated": try write(String(valid.prefix(valid.count / 2)), to: path)
        case "empty": try write("", to: path)
        case "notJSON": try write("format = 1\n", to: path)
        case "formatAsString": object["format"] = "1"; try write(try json(object), to: path)
        case "answersNotStrings": object["answers"] = ["swapSize": 128]; try write(try json(object), to: path)
        case "stepsNotArray": object["steps"] = "done"; try write(try json(object), to: path)
        case "unknownKey": object["skipGate"] = true; try write(try json(object), to: path)
        case "futureFormat": object["format"] = 2; try write(try json(object), to: path)
        case "practiceWithoutMachine": object["machine"] = nil; try write(try json(object), to: path)
        case "badStatus":
            var steps = try #require(object["steps"] as? [[String: Any]])
            steps[0]["status"] = "finished"
            object["steps"] = steps
            try write(try json(object), to: path)
        default: Issue.record("unknown case")
        }
        try expectRefused(path, problem) { _ = try StateStore(path: path, snapshotType: SimulatedSpark.self).load() }
    }

    @Test func aSymlinkIsRefused() throws {
        let dir = try TempDir("resume", memory: true)
        let real = dir.path + "/real.json"
        try write(try json(try validProgressJSON()), to: real)
        let link = dir.path + "/practice.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try expectRefused(link, "is a symbolic link") { _ = try StateStore(path: link, snapshotType: SimulatedSpark.self).load() }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
    }

    @Test(arguments: [0o666, 0o620, 0o602])
    func aFileOthersCanWriteIsRefused(mode: Int) throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        try write(try json(try validProgressJSON()), to: path, mode: mode)
        try expectRefused(path, "is writable by other users (mode \(String(mode, radix: 8)))") { _ = try StateStore(path: path, snapshotType: SimulatedSpark.self).load() }
    }

    @Test func aDirectoryIsRefused() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try expectRefused(path, "is not a regular file") { _ = try StateStore(path: path, snapshotType: SimulatedSpark.self).load() }
    }

    /// The mode check lives in the composition root; it runs before any host is built.
    @Test(arguments: [true, false])
    func aPracticeFileIsNotALiveFileAndBackAgain(practiceRun: Bool) throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/state.json"
        var object = try validProgressJSON()
        if practiceRun {
            object["mode"] = "live"
            object["machine"] = nil
        }
        try write(try json(object), to: path)
        var config = WizardConfig()
        config.hosts = practiceRun ? PracticeHostFactory() : LiveHostFactory()
        config.statePath = path
        let output = CapturedOutput()
        let before = FileManager.default.contents(atPath: path)
        let status = Wizard.run(config, procedure: ProcedureDefinition(steps: [SwapStep.make()], answerKeys: Procedure.answerKeys(), prelude: { _, _ in [] }), output: output).exitCode
        #expect(status == 65)
        let held = practiceRun ? "holds a live run, but this is a practice run" : "holds a practice run, but this is a live run"
        #expect(output.text.contains("phase0: \(path): \(held)"), "\(output.text)")
        #expect(output.text.contains("The file was left as it is."))
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test func aLiveFileWithAMachineIsInconsistent() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/state.json"
        var object = try validProgressJSON()
        object["mode"] = "live"
        try write(try json(object), to: path)
        try expectRefused(path, "a live run that holds a simulated machine") { _ = try StateStore(path: path, snapshotType: SimulatedSpark.self).load() }
    }

    @Test func resetMovesTheFileAsideNeverDeletesIt() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        try write("not json", to: path)
        let store = StateStore(path: path, snapshotType: SimulatedSpark.self)
        let moved = try #require(try store.moveAside(now: "2026-11-29T12:00:00Z"))
        #expect(moved == path + ".reset-20261129120000")
        #expect(FileManager.default.contents(atPath: moved) == Data("not json".utf8))
        try write("again", to: path)
        #expect(try store.moveAside(now: "2026-11-29T12:00:00Z") == path + ".reset-20261129120000-1")
        #expect(try store.moveAside(now: "x") == nil)
    }
}

@Suite struct LockTests {
    @Test func aSecondLockOnTheSameFileNamesTheHolder() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/sub/dir/practice.json"
        let first = StateStore(path: path, snapshotType: SimulatedSpark.self)
        try first.lock()
        var st = stat()
        #expect(stat(dir.path + "/sub/dir", &st) == 0 && st.st_mode & 0o777 == 0o700)
        // flock locks belong to an open file description, so a second open conflicts even here.
        #expect {
            try StateStore(path: path, snapshotType: SimulatedSpark.self).lock()
        } throws: { error in
            guard let held = error as? LockHeld else { return false }
            return held.holderPID == String(getpid()) && held.description.contains("another phase0 (PID \(getpid()))")
        }
    }

    @Test func theLockIsFreedWithItsStore() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        do {
            let first = StateStore(path: path, snapshotType: SimulatedSpark.self)
            try first.lock()
        }
        try StateStore(path: path, snapshotType: SimulatedSpark.self).lock()
    }

    /// Another process (util-linux flock, which writes no PID) holds the lock.
    @Test func aLockHeldByAnotherProcess() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/practice.json"
        let flockTool = "/usr/bin/flock"
        try #require(FileManager.default.isExecutableFile(atPath: flockTool), "flock (util-linux) is needed")
        try write("4242\n", to: path + ".lock")
        // -o: the child does not inherit the lock. cat ends when its input is closed.
        let holder = try Program.start([flockTool, "-o", path + ".lock", "cat"])
        defer {
            holder.closeInput()
            _ = holder.wait()
        }
        // Wait until flock holds it, probing without writing (StateStore.lock would write our PID).
        var taken = false
        for _ in 0..<250 where !taken {
            let fd = open(path + ".lock", O_RDONLY)
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                _ = flock(fd, LOCK_UN)
                usleep(20_000)
            } else {
                taken = true
            }
            close(fd)
        }
        try #require(taken, "flock never took the lock")
        var held: LockHeld?
        do { try StateStore(path: path, snapshotType: SimulatedSpark.self).lock() } catch let error as LockHeld { held = error }
        #expect(held?.holderPID == "4242")
    }
}

@Suite struct AnswersFileTests {
    let keys = Procedure.answerKeys()

    @Test func theKnownKeysIncludeStep0s() {
        #expect(keys.isSuperset(of: ["swapfile", "swapSize", "swappiness"]))
    }

    @Test func aGoodFile() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/answers.json"
        try write(#"{"swapSize": "64G", "swapfile": "/swapfile"}"#, to: path, mode: 0o644)
        #expect(try loadAnswersFile(path, knownKeys: keys) == ["swapSize": "64G", "swapfile": "/swapfile"])
    }

    @Test(arguments: [
        (#"{"swapsize": "64G"}"#, "unknown key \"swapsize\""),
        (#"{"swapSize": 128}"#, "values are all strings"),
        (#"{"swapSize": null}"#, "values are all strings"),
        (#"{"swapSize": ["64G"]}"#, "values are all strings"),
        (#"["swapSize", "64G"]"#, "must be a JSON object"),
        (#"{"swapfile": "/swap\u0000file"}"#, "\"swapfile\" contains a NUL character"),
        ("{\"swapSize\": \"64G\"", "not valid JSON"),
        ("", "is empty"),
    ])
    func aBadAnswersFileIsRefused(text: String, problem: String) throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/answers.json"
        try write(text, to: path, mode: 0o644)
        try expectRefused(path, problem) { _ = try loadAnswersFile(path, knownKeys: keys) }
    }

    @Test func aWorldWritableAnswersFileIsRefused() throws {
        let dir = try TempDir("resume", memory: true)
        let path = dir.path + "/answers.json"
        try write(#"{"swapSize": "64G"}"#, to: path, mode: 0o666)
        try expectRefused(path, "is writable by every user") { _ = try loadAnswersFile(path, knownKeys: keys) }
    }

    @Test func aMissingAnswersFile() throws {
        let dir = try TempDir("resume", memory: true)
        #expect(throws: InputFileError.self) { try loadAnswersFile(dir.path + "/none.json", knownKeys: keys) }
    }
}
