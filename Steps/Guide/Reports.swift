import FoundationEssentials
import Phase0Core
import Phase0Parsers

/// The read-only subcommands: status, preflight, reset.
public enum Reports {
    // MARK: status

    struct StatusJSON: Encodable {
        var stateFile: String
        var mode: String
        var updatedAt: String
        var steps: [StepJSON]
        var answers: [String: String]
        var machine: JSONValue?
        var swapGate: GateJSON?
    }

    /// Both figures of the swap gate (SwapGate): active now, and after a reboot per /etc/fstab.
    struct GateJSON: Encodable {
        struct Figure: Encodable {
            var totalKiB: Int64
            var thresholdKiB: Int64
            var passes: Bool
            var areas: [Area]
        }
        struct Area: Encodable {
            var device: String
            var sizeKiB: Int64?
            var note: String?
        }
        var now: Figure
        var afterReboot: Figure
        var passes: Bool
        var problem: String?

        init(_ f: SwapGate.Figures) {
            now = Figure(
                totalKiB: f.now.totalKiB, thresholdKiB: f.now.thresholdKiB, passes: f.now.passes,
                areas: f.nowAreas.map { Area(device: $0.path, sizeKiB: $0.sizeKiB, note: nil) })
            afterReboot = Figure(
                totalKiB: f.afterReboot.totalKiB, thresholdKiB: f.afterReboot.thresholdKiB, passes: f.afterReboot.passes,
                areas: f.bootAreas.map { Area(device: $0.device, sizeKiB: $0.sizeKiB, note: $0.note) })
            passes = f.passes
            problem = f.problem
        }
    }

    /// The gate's figures on the machine the progress is about (the saved simulated Spark in
    /// practice; this machine, read-only, live).
    static func gateFigures(_ config: WizardConfig, _ progress: Progress?) -> SwapGate.Figures? {
        guard let host = try? config.hosts.makeHost(saved: progress?.machine, scenarioPath: nil).host else { return nil }
        return SwapGate.figures(host, swapfile: progress?.answers["swapfile"])
    }

    struct StepJSON: Encodable {
        var number: Int
        var title: String
        var status: String
        var note: String?
        var actions: [ActionRecord]
    }

    public static func status(_ config: WizardConfig, steps: [Step], json: Bool, output: Output) -> RunOutcome {
        let store = config.makeStore()
        let progress: Progress
        do {
            guard let loaded = try store.load() else {
                if json {
                    // Encoded, not interpolated: the path may hold quotes, backslashes, anything.
                    output.write(encodedJSON(NotStartedJSON(stateFile: store.path), sortedPretty) + "\n")
                } else {
                    output.write("No progress yet in \(store.path). Start with: phase0\(config.practice ? " --practice" : "")\n")
                    for line in gateFigures(config, nil).map(SwapGate.describe) ?? [] { output.write(line + "\n") }
                }
                return .complete
            }
            progress = loaded
        } catch {
            return .reporting(error, to: output)
        }
        let stepList = steps.map { step -> StepJSON in
            let record = progress.step(step.number)
            return StepJSON(
                number: step.number, title: step.title, status: (record?.status ?? .pending).rawValue,
                note: record?.note, actions: record?.actions ?? [])
        }
        if json {
            let machine = progress.machine.flatMap(machineJSON)
            let report = StatusJSON(
                stateFile: store.path, mode: progress.mode.rawValue, updatedAt: progress.updatedAt,
                steps: stepList, answers: progress.answers, machine: machine,
                swapGate: gateFigures(config, progress).map(GateJSON.init))
            output.write(encodedJSON(report, sortedPretty) + "\n")
            return .complete
        }
        var text = statusText(
            progress, steps: steps, statePath: store.path,
            width: TextLayout.terminalWidth(environment: config.environment))
        if let figures = gateFigures(config, progress) {
            let lines = SwapGate.describe(figures)
            text += lines[0] + "; " + lines[1].prefix(1).lowercased() + lines[1].dropFirst() + "\n"
            text +=
                "The 64G gate "
                + (figures.passes ? "passes on both." : "does not pass: Steps 1-5 stop until Step 0 is done (exit 3).") + "\n"
        }
        output.write(text)
        return .complete
    }

    struct NotStartedJSON: Encodable {
        var stateFile: String
        var steps: [StepJSON] = []
        var started = false
    }

    /// JSON of phase0's own report types; their strings and numbers always encode, so a
    /// failure here would be a bug, shown as such rather than hidden.
    static var sortedPretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encodedJSON(_ value: some Encodable, _ encoder: JSONEncoder) -> String {
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            return "{\"error\": \"phase0 could not encode its report: \(error)\"}"
        }
    }

    /// The host's own summary with the gate's view of its swap added (best effort: `status`
    /// shows the steps without the machine rather than failing over it).
    static func machineJSON(_ machine: any HostSnapshot) -> JSONValue? {
        guard let data = try? JSONEncoder().encode(machine.summary),
            case .object(var fields) = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        let verdict = SwapGate.evaluate(machine.swaps)
        fields["swapTotalKiB"] = .number(Double(verdict.totalKiB))
        fields["swapGatePasses"] = .bool(verdict.passes)
        return .object(fields)
    }

    // MARK: reset

    public static func reset(_ config: WizardConfig, output: Output) -> RunOutcome {
        let store = config.makeStore()
        do {
            try store.lock()
            guard let moved = try store.moveAside(now: utcTimestamp()) else {
                output.write("Nothing to reset: \(store.path) does not exist.\n")
                return .complete
            }
            output.write(
                "Moved \(store.path) to \(moved). The next run starts from Step 0 (each step re-checks the machine, so nothing already done is redone).\n"
            )
            return .complete
        } catch {
            return .reporting(error, to: output)
        }
    }

    // MARK: preflight

    public static func preflight(_ config: WizardConfig, json: Bool, output: Output) -> RunOutcome {
        let host: Host
        let answers: [String: String]
        do {
            (host, answers) = try ReadOnlyView.open(config)
        } catch {
            return .reporting(error, to: output)
        }
        let results = PreflightChecks.run(host: host, answers: answers)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            output.write(encodedJSON(results, encoder) + "\n")
        } else {
            output.write("Preflight on \(host.name) (read-only):\n")
            for result in results {
                output.write(
                    "  [\(result.status.rawValue.padding(8))] \(result.name)" + (result.detail.isEmpty ? "" : ": \(result.detail)") + "\n")
            }
            let failed = results.filter { $0.status == .fail }.count
            output.write(
                failed == 0 ? "All required prerequisites pass.\n" : "\(failed) required prerequisite\(failed == 1 ? "" : "s") failed.\n")
        }
        let failed = results.filter { $0.status == .fail }.count
        return failed == 0 ? .complete : .failed("\(failed) required prerequisite\(failed == 1 ? "" : "s") failed")
    }
}
