@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestKit
import Phase0TestSupport
import Foundation
import Testing
@testable import Phase0Core
@testable import Phase0Steps

/// SIGKILL at every exact cut point of the real binary, using the test-only fault-injection
/// build (`Tests/reliability/torture.sh` builds it and sets PHASE0_FAULT_BINARY). The
/// in-process torture test covers the same points in every `swift test`; this one proves them
/// on the real process: its lock, its files, its exit. That the shipped binary has no such
/// switch is checked on the binary .ci/build-release makes: Tests/reliability/shipped-binary.sh.
@Suite(.serialized) struct ReliabilityFaultBuildTests {
    static let faultBinary = ProcessInfo.processInfo.environment["PHASE0_FAULT_BINARY"]

    @Test(.enabled(if: faultBinary != nil, "set by Tests/reliability/torture.sh"))
    func sigkillAtEveryExactPointResumesToTheReference() throws {
        let binary = try #require(Self.faultBinary)
        let scratch = try TempDir("torture-fault", memory: true)
        defer { scratch.remove() }
        let directory = scratch.path
        let answersPath = directory + "/answers.json"
        try write(try Rel.answersJSON(Rel.answers), to: answersPath)
        let args = Rel.practiceArgs(binary: binary, answersPath: answersPath)

        let referenceHome = directory + "/reference"
        var environment = Rel.environment(home: referenceHome)
        environment["PHASE0_TEST_TRACE"] = directory + "/trace"
        let reference = try Program.run(args, environment: environment)
        let points = String(decoding: Rel.read(directory + "/trace") ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        let referenceData = try #require(Rel.read(Rel.statePath(home: referenceHome)))
        let referenceState = try Rel.normalized(referenceData)
        #expect(points.count >= 20, "the trace lists too few points: \(points.count)")

        var random = SplitMix64(seed: ReliabilityTortureTests.seed &+ 2)
        var kills = 0, secondKills = 0, runs = 0
        for (index, point) in points.enumerated() {
            let home = "\(directory)/cut-\(index)"
            var environment = Rel.environment(home: home)
            environment["PHASE0_TEST_KILL_AT"] = point
            let first = try Program.run(args, environment: environment)
            runs += 1
            #expect(first.killed, "\(point): the fault build did not stop there (exit \(first.status))")
            kills += 1
            // Resume, cut again at a random point of that run (when it reaches it), then to the end.
            environment["PHASE0_TEST_KILL_AT"] = points[Int(random.next() % UInt64(points.count))]
            var last = try Program.run(args, environment: environment)
            runs += 1
            if last.killed {
                secondKills += 1
                environment["PHASE0_TEST_KILL_AT"] = nil
                last = try Program.run(args, environment: environment)
                runs += 1
            }
            #expect(!last.killed && last.status == reference.status, "\(point): the resumed run ended with \(last.status)\n\(last.output.suffix(500))")
            let data = try #require(Rel.read(Rel.statePath(home: home)))
            let state = try Rel.normalized(data)
            #expect(state == referenceState, "\(point): \(Rel.firstDifference(state, referenceState))")
            let machine = try #require(try Progress.decodePractice(data).spark)
            #expect(Rel.harmfulRepeats(machine.history).isEmpty, "\(point): \(Rel.harmfulRepeats(machine.history))")
            #expect(Rel.activeSwapfileLines(machine) <= 1)
            removeTree(home)
        }
        print("torture (fault build, SIGKILL at every exact point): \(points.count) points, \(kills) kills there + \(secondKills) second kills in resumed runs, \(runs) runs, all ended as the reference (exit \(reference.status))")
    }
}
