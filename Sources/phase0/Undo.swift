import ArgumentParser
import Phase0Core
import Phase0Parsers
import Phase0Steps

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reverse a step (or all, newest first), removing only what phase0 made.",
        discussion: """
            Like the wizard: every command is shown and confirmed, each action is recorded in the resume file, \
            and a cut undo resumes where it stopped. Only what the resume file says phase0 made is removed; \
            what was there before is left, and said so. Step 5: nothing to undo (its records are cleared). \
            Step 4: phase0's Serve configuration. Step 3: the container phase0 created (the volume is kept unless \
            --purge, which asks again). Step 2: the unit (stopped, disabled, set aside, daemon-reload). Step 1: mosh \
            and its ufw rule, if phase0 installed or added them. Step 0 (only after Steps 1-5): /etc/fstab put back, \
            the sysctl drop-in set aside; never swapoff: the swapfile stays active until the next reboot, and \
            `phase0 undo 0` after it removes the file. Exit codes as for run.
            """)

    @Argument(help: "0-5, or all.") var step: String
    @OptionGroup var stateOptions: StateOptions
    @Flag(name: [.customShort("y"), .long], help: "Answer yes to every confirmation (not to --purge's own question).")
    var assumeYes = false
    @Flag(help: "Print every command undo would run, without running any.") var dryRun = false
    @Flag(help: "Step 3: also remove Open WebUI's volume (accounts, chats) and the image phase0 pulled; asked again.")
    var purge = false

    func target() throws -> UndoProcedure.Target {
        if step == "all" { return .all }
        guard let number = Int(step), (0...5).contains(number) else { throw ValidationError("STEP must be 0-5 or all, not \"\(step)\"") }
        return .step(number)
    }

    func validate() throws { _ = try target() }

    func run() throws {
        var config = try stateOptions.config()
        config.options = RunOptions(assumeYes: assumeYes, dryRun: dryRun)
        try finish(UndoRun.run(config, target: try target(), purge: purge))
    }
}
