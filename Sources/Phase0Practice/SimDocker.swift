import Phase0Core
import Phase0Parsers

/// docker on the simulated Spark (Steps 3 and 5, troubleshooting). Containers remember the
/// `docker run` argv that made them; inspect, ps, stats, exec and the web UI's port are read
/// from it, so what Step 3 renders is what the simulation runs.
extension SimulatedSpark {
    static let dockerVersion = "28.2.2"
    static let noDaemon = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"

    func runConfig(_ container: SimContainer) -> SimRunConfig {
        let argv = container.argv.isEmpty ? SimRunConfig.guideArgv(name: container.name, image: container.image) : container.argv
        // `docker run` refused an argv it cannot parse, so a container holds only ones that parse.
        return (try? SimRunConfig.parse(Array(argv.dropFirst(2))).get()) ?? SimRunConfig()
    }

    /// Where a container's Open WebUI listens on the host, if it can be reached there.
    func webUIListener(_ container: SimContainer) -> Listener? {
        let config = runConfig(container)
        if config.network == "host" {
            return Listener(address: config.envValue("HOST") ?? "0.0.0.0", port: Int(config.envValue("PORT") ?? "") ?? 8080)
        }
        guard let binding = config.publish.first(where: { $0.containerPort == 8080 }) else { return nil }
        return Listener(address: binding.ip.isEmpty ? "0.0.0.0" : binding.ip, port: binding.hostPort)
    }

    func containerIndex(_ name: String) -> Int? {
        let wanted = name.hasPrefix("/") ? String(name.dropFirst()) : name
        return docker.containers.firstIndex { $0.name == wanted || containerID($0).hasPrefix(wanted) && wanted.count >= 4 }
    }

    /// `docker inspect NAME` without `--type container` looks at every kind of object: where no
    /// container has the name, a volume of that name answers, and a container's template fails
    /// on it (exit 1). The guide names both open-webui; seen in the guest with Debian's
    /// docker.io: "map has no entry for key \"Config\"".
    func untypedVolume(_ name: String, _ args: [String]) -> SimTemplateValue? {
        let typed = args.contains { $0.hasPrefix("--type=") } || args.contains("--type")
        guard !typed, docker.volumes.contains(name) else { return nil }
        return .object([
            ("Driver", .string("local")), ("Mountpoint", .string("/var/lib/docker/volumes/\(name)/_data")),
            ("Name", .string(name)), ("Scope", .string("local")),
        ])
    }

    func containerID(_ container: SimContainer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in container.name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: 16 - hex.count) + hex + String(repeating: "a", count: 48)).prefix(64))
    }

    /// docker's RFC 3339 State.StartedAt, distinct for each start (the Nth start, N ns later);
    /// docker's zero time for a container never started.
    static func startedAt(_ starts: Int) -> String {
        guard starts > 0 else { return "0001-01-01T00:00:00Z" }
        let nanoseconds = String(starts)
        return "2025-11-29T12:00:00." + String(repeating: "0", count: max(0, 9 - nanoseconds.count)) + nanoseconds + "Z"
    }

    func inspectValue(_ container: SimContainer) -> SimTemplateValue {
        let config = runConfig(container)
        var bindings: [String: SimTemplateValue] = [:]
        for binding in config.publish {
            bindings["\(binding.containerPort)/tcp"] = .list([
                .object([("HostIp", .string(binding.ip)), ("HostPort", .string(String(binding.hostPort)))])
            ])
        }
        let mounts: [SimTemplateValue] = config.volumes.map { volume in
            let parts = volume.split(separator: ":").map(String.init)
            return .object([
                ("Type", .string("volume")), ("Name", .string(parts[0])),
                ("Source", .string("/var/lib/docker/volumes/\(parts[0])/_data")),
                ("Destination", .string(parts.count > 1 ? parts[1] : parts[0])),
            ])
        }
        return .object([
            ("Id", .string(containerID(container))),
            ("Name", .string("/" + container.name)),
            ("RestartCount", .int(Int64(container.restartCount))),
            (
                "State",
                .object([
                    ("Status", .string(container.running ? "running" : "exited")), ("Running", .bool(container.running)),
                    ("StartedAt", .string(Self.startedAt(container.starts ?? 0))),
                ])
            ),
            (
                "Config",
                .object([
                    ("Image", .string(container.image)), ("Env", .list(config.env.map { .string($0) })),
                    ("Labels", .map(config.labels.mapValues { .string($0) })),
                ])
            ),
            (
                "HostConfig",
                .object([
                    ("NetworkMode", .string(config.network)), ("Memory", .int(config.memory)),
                    ("MemorySwap", .int(config.memorySwap)), ("PortBindings", .map(bindings)),
                    ("RestartPolicy", .object([("Name", .string(config.restart)), ("MaximumRetryCount", .int(0))])),
                    ("ExtraHosts", .list(config.addHosts.map { .string($0) })),
                ])
            ),
            ("Mounts", .list(mounts)),
        ])
    }

    mutating func simulateDocker(_ args: [String], as user: String) -> CommandResult {
        if args == ["--version"] || args == ["-v"] {
            return .init(exitStatus: 0, output: "Docker version \(Self.dockerVersion), build e6534b4\n")
        }
        guard user == "root" || (dockerGroup ?? []).contains(user) else {
            return .init(
                exitStatus: 1,
                output: "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n")
        }
        guard let command = args.first else { return .init(exitStatus: 0, output: "Usage:  docker [OPTIONS] COMMAND\n") }
        var rest = Array(args.dropFirst())
        var verb = command
        // `docker container ls`, `docker image inspect`, `docker volume ls`...
        if ["container", "image", "volume"].contains(command), let sub = rest.first {
            rest.removeFirst()
            verb = command == "container" ? sub : "\(command) \(sub)"
        }
        guard docker.daemonRunning else { return .init(exitStatus: verb == "run" ? 125 : 1, output: Self.noDaemon) }
        func format() -> String? {
            if let i = rest.firstIndex(where: { $0 == "--format" || $0 == "-f" }), i + 1 < rest.count { return rest[i + 1] }
            return rest.first { $0.hasPrefix("--format=") }.map { String($0.dropFirst(9)) }
        }
        let operands = operandsOf(rest, verb: verb)
        switch verb {
        case "info", "version":
            if let format = format() {
                return format.contains("ServerVersion") || format.contains(".Server.Version")
                    ? .init(exitStatus: 0, output: Self.dockerVersion + "\n")
                    : .init(exitStatus: 1, output: "phase0 practice: docker \(verb) --format \(format) is not simulated\n")
            }
            return .init(
                exitStatus: 0,
                output:
                    "Server:\n Containers: \(docker.containers.count)\n Server Version: \(Self.dockerVersion)\n Storage Driver: overlay2\n")
        case "inspect", "image inspect":
            var output = ""
            for name in operands {
                let rendered: String
                if verb == "image inspect" || rest.contains("--type=image") {
                    guard docker.images.contains(name) else {
                        return .init(exitStatus: 1, output: output + "Error: No such image: \(name)\n")
                    }
                    let image = SimTemplateValue.object([
                        ("Id", .string("sha256:" + String(repeating: "b", count: 64))), ("RepoTags", .list([.string(name)])),
                    ])
                    rendered = (try? SimGoTemplate.render(format() ?? "{{json .}}", image)) ?? ""  // only --format {{.Id}} is asked
                } else {
                    guard let index = containerIndex(name) else {
                        if let volume = untypedVolume(name, rest) {
                            do {
                                output += try SimGoTemplate.render(format() ?? "[{{json .}}]", volume) + "\n"
                            } catch {
                                let message = (error as? SimTemplateError)?.message ?? "\(error)"
                                return .init(exitStatus: 1, output: "template parsing error: \(message)\n")
                            }
                            continue
                        }
                        return .init(exitStatus: 1, output: output + "Error: No such object: \(name)\n")
                    }
                    do { rendered = try SimGoTemplate.render(format() ?? "[{{json .}}]", inspectValue(docker.containers[index])) } catch let
                        error as SimTemplateError
                    {
                        return .init(exitStatus: 1, output: error.message + "\n")
                    } catch { return .init(exitStatus: 1, output: "\(error)\n") }
                }
                output += rendered + "\n"
            }
            return .init(exitStatus: 0, output: output)
        case "pull":
            guard let image = operands.first else { return .init(exitStatus: 1, output: "\"docker pull\" requires exactly 1 argument.\n") }
            return pull(image)
        case "images", "image ls", "image list":
            return .init(
                exitStatus: 0,
                output: docker.images.map { image in
                    let tag = image.split(separator: ":").count > 1 ? String(image.split(separator: ":").last!) : "latest"
                    return format().map {
                        $0.replacing("{{.Repository}}", with: String(image.split(separator: ":").first!)).replacing("{{.Tag}}", with: tag)
                            + "\n"
                    }
                        ?? "\(image)   \(tag)\n"
                }.joined())
        case "ps", "ls", "list":
            return ps(rest, format: format())
        case "run":
            return run(rest)
        case "rm", "remove":
            let force = rest.contains("-f") || rest.contains("--force")
            var output = ""
            for name in operands {
                guard let index = containerIndex(name) else {
                    return .init(exitStatus: 1, output: output + "Error response from daemon: No such container: \(name)\n")
                }
                if docker.containers[index].running && !force {
                    return .init(
                        exitStatus: 1,
                        output: output
                            + "Error response from daemon: cannot remove container \"/\(name)\": container is running: stop the container before removing or force remove\n"
                    )
                }
                docker.containers.remove(at: index)  // the named volume stays
                output += name + "\n"
            }
            return .init(exitStatus: 0, output: output)
        case "stop", "start", "restart":
            var output = ""
            for name in operands {
                guard let index = containerIndex(name) else {
                    return .init(exitStatus: 1, output: output + "Error response from daemon: No such container: \(name)\n")
                }
                if verb != "stop", let conflict = portConflict(runConfig(docker.containers[index]), except: docker.containers[index].name) {
                    return .init(exitStatus: 1, output: output + conflict)
                }
                // Like docker: start on a running container changes nothing; restart always restarts.
                if verb == "restart" || (verb == "start" && !docker.containers[index].running) {
                    docker.containers[index].starts = (docker.containers[index].starts ?? 0) + 1
                }
                docker.containers[index].running = verb != "stop"
                output += name + "\n"
            }
            return .init(exitStatus: 0, output: output)
        case "stats":
            return stats(operands, format: format())
        case "logs":
            guard let name = operands.first, let index = containerIndex(name) else {
                return .init(exitStatus: 1, output: "Error response from daemon: No such container: \(operands.first ?? "")\n")
            }
            guard let listener = webUIListener(docker.containers[index]) else { return .init(exitStatus: 0, output: "") }
            let (host, port) = (listener.address, listener.port)
            return .init(
                exitStatus: 0,
                output:
                    "Loading WEBUI_SECRET_KEY from file, not provided as an environment variable.\nINFO:     Started server process [1]\nINFO:     Uvicorn running on http://\(host):\(port == 8080 && runConfig(docker.containers[index]).network != "host" ? 8080 : port) (Press CTRL+C to quit)\n"
            )
        case "exec":
            return exec(rest)
        case "volume ls", "volume list":
            return .init(exitStatus: 0, output: "DRIVER    VOLUME NAME\n" + docker.volumes.map { "local     \($0)\n" }.joined())
        case "volume rm", "volume remove", "image rm", "image remove", "rmi":
            // Undo --purge: a volume or image in use by a container is refused, as docker does.
            let isVolume = verb.hasPrefix("volume")
            for name in operands {
                let inUse = docker.containers.contains {
                    isVolume ? runConfig($0).volumes.contains { $0.hasPrefix(name + ":") } : $0.image == name
                }
                if inUse { return .init(exitStatus: 1, output: "Error response from daemon: \(name) is in use\n") }
                if isVolume { docker.volumes.removeAll { $0 == name } } else { docker.images.removeAll { $0 == name } }
            }
            return .init(exitStatus: 0, output: operands.map { $0 + "\n" }.joined())
        case "volume inspect":
            guard let name = operands.first, docker.volumes.contains(name) else {
                return .init(exitStatus: 1, output: "Error response from daemon: get \(operands.first ?? ""): no such volume\n")
            }
            return .init(exitStatus: 0, output: "[{\"Name\": \"\(name)\", \"Mountpoint\": \"/var/lib/docker/volumes/\(name)/_data\"}]\n")
        default:
            return .init(exitStatus: 1, output: "phase0 practice: docker \(verb) is not simulated\n")
        }
    }

    /// Arguments that are not options (or option values) of docker's small commands. `-f` is
    /// --format for inspect and --force for rm, so which options take a value depends on the verb.
    func operandsOf(_ args: [String], verb: String) -> [String] {
        var result: [String] = []
        var index = 0
        let valued: Set<String>
        switch verb {
        case "inspect", "image inspect": valued = ["-f", "--format", "--type"]
        case "ps", "ls", "list", "images", "image ls", "image list": valued = ["-f", "--filter", "--format", "-n", "--last"]
        case "logs": valued = ["-n", "--tail", "--since", "--until"]
        case "stop", "restart": valued = ["-t", "--time", "-s", "--signal"]
        case "stats": valued = ["--format"]
        default: valued = []
        }
        while index < args.count {
            let arg = args[index]
            if valued.contains(arg) {
                index += 2
                continue
            }
            if !arg.hasPrefix("-") { result.append(arg) }
            index += 1
        }
        return result
    }
}
