@testable import Phase0Core
@testable import Phase0Parsers
@testable import Phase0Practice
import Phase0TestSupport
import Testing

/// The simulated Spark of practice mode behaves as the guide's machine and its tools do,
/// pitfalls included, so a practice run rehearses the real one.
@Suite struct SimulatedSparkTests {
    @Test func theSimulatedSparkReportsWhatTheGuideSays() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        let info = try MemInfo.parse(try #require(host.readFile("/proc/meminfo")))
        #expect(info.memAvailableKiB == 230 * 1024)
        #expect(info.swapTotalKiB == 16 * 1024 * 1024 - 4)
        #expect(info.swapFreeKiB == info.swapTotalKiB - 1_782_580)
    }

    /// The guide's own fstab, edited for the swapfile, is edited once: a second edit changes nothing.
    @Test func theGuidesFstabIsEditedOnce() throws {
        let guide = try #require(SimulatedSpark().files["/etc/fstab"]?.content)
        let once = Fstab.ensureSwapfile(in: guide, swapfile: "/swapfile")
        #expect(!once.changes.isEmpty)
        #expect(Fstab.ensureSwapfile(in: once.text, swapfile: "/swapfile") == Fstab.Edit(text: once.text, changes: []))
    }

    /// cp --no-clobber on the simulated Spark keeps an existing backup, as the real one does.
    @Test func noClobberKeepsTheFirstBackup() throws {
        let host = PracticeHost(machine: SimulatedSpark())
        host.machine.files["/etc/fstab.phase0-backup.1"] = SimFile(content: "first\n", mode: 0o644)
        _ = try host.run(.privileged(["cp", "-p", "--no-clobber", "/etc/fstab", "/etc/fstab.phase0-backup.1"]))
        #expect(host.readFile("/etc/fstab.phase0-backup.1") == "first\n")
    }

    @Test func theSimulatedAptNeedsRootAndMinusY() {
        var machine = sparkAfterStep0()
        #expect(machine.execute(["apt-get", "install", "-y", "mosh"], as: "vybnz69", input: nil).exitStatus == 100)
        #expect(machine.execute(["apt-get", "install", "mosh"], as: "root", input: nil).exitStatus == 1)
        #expect(!machine.programs.contains("mosh-server"))
        #expect(machine.execute(["dpkg-query", "-W", "-f=${Version}", "mosh"], as: "vybnz69", input: nil).exitStatus == 1)
        #expect(machine.execute(["apt-get", "install", "-y", "mosh"], as: "root", input: nil).succeeded)
        #expect(machine.execute(["dpkg-query", "-W", "-f=${Version}", "mosh"], as: "vybnz69", input: nil).output == "1.4.0-1build1")
        #expect(machine.execute(["ufw", "status"], as: "vybnz69", input: nil).exitStatus == 1)
    }

    @Test func theSimulatedServeKeepsThePitfall() throws {
        var machine = SimulatedSpark()
        machine.tailscale.httpsEnabled = false
        let serve = machine.execute(["tailscale", "serve", "--bg", "3000"], as: "root", input: nil)
        #expect(serve.exitStatus == 0 && serve.output.contains("Serve is not enabled"))
        #expect(machine.tailscale.serveProxy == nil)
        #expect(machine.execute(["tailscale", "serve", "--bg", "3000"], as: "vybnz69", input: nil).exitStatus == 1)
        #expect(machine.execute(["tailscale", "set", "--operator=vybnz69"], as: "root", input: nil).succeeded)
        machine.tailscale.httpsEnabled = true
        #expect(machine.execute(["tailscale", "serve", "--bg", "3000"], as: "vybnz69", input: nil).succeeded)
        let status = try ServeConfig.parse(machine.execute(["tailscale", "serve", "status", "--json"], as: "vybnz69", input: nil).output)
        #expect(status.proxiesToLocalPort("3000"))
        #expect(try TailscaleStatus.parse(machine.execute(["tailscale", "status", "--json"], as: "vybnz69", input: nil).output).httpsEnabled)
    }

    @Test func practiceDetachesWhenTheOperatorConfirms() {
        var machine = sparkAfterStep3()
        machine.tmuxSessions[0].attachedClients = 2
        let note = machine.performOperatorTask("unplug-5-detached")
        #expect(note?.contains("Ctrl-B D") == true)
        #expect(machine.tmuxSessions[0].attachedClients == 0)
        #expect(machine.performOperatorTask("unplug-5-detached") == nil)
    }
}
