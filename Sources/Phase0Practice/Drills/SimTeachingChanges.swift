import Phase0Core
import Phase0Parsers

/// The fixes a trainee types at a drill's prompt that the wizard never runs: `tee` into a
/// file, `sed -i`, `rm`, `docker update`, `reboot`. Root is needed where the real tools need it.
extension SimulatedSpark {
    mutating func teachingChange(_ name: String, _ args: [String], as user: String) -> CommandResult? {
        switch name {
        case "sed": return sedInPlace(args, as: user)
        case "rm":
            var output = ""
            for path in args where !path.hasPrefix("-") {
                guard let file = files[path] else {
                    if !args.contains(where: { $0.hasPrefix("-") && $0.contains("f") }) {
                        output += "rm: cannot remove '\(path)': No such file or directory\n"
                    }
                    continue
                }
                guard !file.isDirectory else {
                    return .init(exitStatus: 1, output: output + "rm: cannot remove '\(path)': Is a directory\n")
                }
                guard user == "root" || files[parentDirectory(path)]?.owner == user else {
                    return Self.denied("rm: cannot remove '\(path)'")
                }
                if swaps.contains(where: { $0.path == path }) {
                    return .init(
                        exitStatus: 1,
                        output:
                            "phase0 practice: \(path) is an active swap area; removing it would not free anything until swapoff, which the guide forbids with the model loaded\n"
                    )
                }
                files[path] = nil
            }
            return .init(exitStatus: output.isEmpty ? 0 : 1, output: output)
        case "docker" where args.first == "update": return dockerUpdate(Array(args.dropFirst()), as: user)
        case "reboot", "shutdown":
            guard user == "root" else {
                return .init(exitStatus: 1, output: "Call to Reboot failed: Interactive authentication required.\n")
            }
            guard name == "reboot" || args.contains("-r") else {
                return .init(exitStatus: 1, output: "phase0 practice: only a reboot is simulated (the Spark must stay on)\n")
            }
            reboot()
            return .init(
                exitStatus: 0,
                output:
                    "(practice) The simulated Spark rebooted: swap from /etc/fstab, sysctl from the sysctl.d files, enabled services and restart-always containers came back; tmux sessions started by hand did not.\n"
            )
        default: return nil
        }
    }

    /// Writes `content` to `path` as `user`; the reason when refused (`tee`'s message).
    public mutating func writeFile(_ path: String, _ content: String, as user: String) -> String? {
        guard files[parentDirectory(path)]?.isDirectory == true else { return "\(path): No such file or directory" }
        if let existing = files[path] {
            guard !existing.isDirectory else { return "\(path): Is a directory" }
            guard user == "root" || existing.owner == user else { return "\(path): Permission denied" }
            files[path]?.content = content
            files[path]?.size = Int64(content.utf8.count)
            return nil
        }
        guard user == "root" || files[parentDirectory(path)]?.owner == user else { return "\(path): Permission denied" }
        files[path] = SimFile(content: content, mode: 0o644, owner: user)
        return nil
    }

    /// `sed -i SCRIPT FILE`: `s/RE/TEXT/[g]` (any delimiter, `&` for the match) and `/RE/d`.
    mutating func sedInPlace(_ args: [String], as user: String) -> CommandResult {
        let operands = args.filter { !$0.hasPrefix("-") }
        guard args.contains(where: { $0 == "-i" || $0.hasPrefix("-i") }) else {
            return .init(exitStatus: 1, output: "phase0 practice: only `sed -i SCRIPT FILE` is simulated (to edit a file in place)\n")
        }
        guard operands.count == 2 else { return .init(exitStatus: 1, output: "Usage: sed -i SCRIPT FILE\n") }
        let (script, path) = (operands[0], operands[1])
        guard let content = files[path]?.content else {
            return .init(exitStatus: 2, output: "sed: can't read \(path): No such file or directory\n")
        }
        guard user == "root" || files[path]?.owner == user else {
            return .init(exitStatus: 4, output: "sed: couldn't open temporary file \(parentDirectory(path))/sedAbC123: Permission denied\n")
        }
        var lines = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trailingNewline = content.hasSuffix("\n")
        if trailingNewline { lines.removeLast() }
        if script.hasPrefix("/"), script.hasSuffix("/d") {
            let pattern = SimPattern(String(script.dropFirst().dropLast(2)))
            lines.removeAll { pattern.matches($0) }
        } else if script.hasPrefix("s"), let delimiter = script.dropFirst().first {
            let parts = script.dropFirst(2).split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                return .init(exitStatus: 1, output: "sed: -e expression #1, char \(script.count): unterminated `s' command\n")
            }
            let pattern = SimPattern(parts[0])
            lines = lines.map { line in
                guard let range = pattern.firstMatch(in: line) else { return line }
                let characters = Array(line)
                let matched = String(characters[range])
                let replacement = parts[1].replacing("\\&", with: "\u{1}").replacing("&", with: matched).replacing("\u{1}", with: "&")
                return String(characters[..<range.lowerBound]) + replacement + String(characters[range.upperBound...])
            }
        } else {
            return .init(exitStatus: 1, output: "phase0 practice: sed scripts other than s/…/…/ and /…/d are not simulated\n")
        }
        files[path]?.content = lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")
        return .init(exitStatus: 0, output: "")
    }

    /// `docker update --memory=2g --memory-swap=4g NAME`: new limits on a container, kept in
    /// its recorded `docker run` so inspect and stats read them back.
    mutating func dockerUpdate(_ args: [String], as user: String) -> CommandResult {
        guard user == "root" else {
            return .init(
                exitStatus: 1,
                output: "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n")
        }
        guard docker.daemonRunning else { return .init(exitStatus: 1, output: Self.noDaemon) }
        var limits: [(flag: String, value: String)] = []
        var names: [String] = []
        var index = 0
        while index < args.count {
            let arg = args[index]
            if let equals = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                limits.append((String(arg[..<equals]), String(arg[arg.index(after: equals)...])))
            } else if ["--memory", "-m", "--memory-swap", "--restart"].contains(arg), index + 1 < args.count {
                limits.append((arg == "-m" ? "--memory" : arg, args[index + 1]))
                index += 1
            } else if arg.hasPrefix("-") {
                return .init(exitStatus: 1, output: "unknown flag: \(arg)\nSee 'docker update --help'.\n")
            } else {
                names.append(arg)
            }
            index += 1
        }
        guard !names.isEmpty, !limits.isEmpty else {
            return .init(exitStatus: 1, output: "\"docker update\" requires at least 1 argument.\n")
        }
        for (flag, value) in limits where flag != "--restart" && SimRunConfig.parseSize(value) == nil {
            return .init(exitStatus: 1, output: "invalid argument \"\(value)\" for \"\(flag)\" flag: invalid size\n")
        }
        var output = ""
        for name in names {
            guard let at = containerIndex(name) else {
                return .init(exitStatus: 1, output: output + "Error response from daemon: No such container: \(name)\n")
            }
            var argv =
                docker.containers[at].argv.isEmpty
                ? SimRunConfig.guideArgv(name: name, image: docker.containers[at].image) : docker.containers[at].argv
            let image = argv.removeLast()
            for (flag, value) in limits {
                argv.removeAll { $0.hasPrefix(flag + "=") }
                argv.append(flag + "=" + value)
            }
            argv.append(image)
            let memory = runConfig(SimContainer(name: name, image: image, running: true, argv: argv, labels: [:], memoryBytes: 0)).memory
            let swap = runConfig(SimContainer(name: name, image: image, running: true, argv: argv, labels: [:], memoryBytes: 0)).memorySwap
            if swap > 0 && swap < memory {
                return .init(
                    exitStatus: 1,
                    output:
                        "Error response from daemon: Cannot update container \(containerID(docker.containers[at])): Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n"
                )
            }
            docker.containers[at].argv = argv
            docker.containers[at].memoryBytes = memory
            output += name + "\n"
        }
        return .init(exitStatus: 0, output: output)
    }
}
