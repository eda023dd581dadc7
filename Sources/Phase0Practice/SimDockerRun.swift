import Phase0Core
import Phase0Parsers

/// docker's image and run verbs on the simulated Spark: references, pulls, port conflicts and
/// `docker run` itself (SimDocker.swift holds the container model the queries read).
extension SimulatedSpark {
    /// docker's own reference grammar, roughly: lowercase repository path, optional tag or
    /// digest. The simulation keeps its own copy, so a bug in the wizard's validator shows.
    static func isReference(_ image: String) -> Bool {
        let (name, suffix) =
            image.firstIndex(of: "@").map { (image[..<$0], image[image.index(after: $0)...]) }
            ?? (image[...], Substring(""))
        var repository = name
        var tag = Substring("")
        if let colon = name.lastIndex(of: ":"), !name[name.index(after: colon)...].contains("/") {
            repository = name[..<colon]
            tag = name[name.index(after: colon)...]
            if tag.isEmpty || tag.count > 128 { return false }
        }
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard !repository.isEmpty, components.allSatisfy({ !$0.isEmpty }) else { return false }
        let path =
            components.count > 1 && (components[0].contains(".") || components[0].contains(":")) ? components.dropFirst() : components[...]
        let pathOK = path.allSatisfy {
            $0.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
        }
        let tagOK = tag.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0))
        }
        let digestOK = suffix.isEmpty || suffix.hasPrefix("sha256:")
        return pathOK && tagOK && digestOK
    }

    mutating func pull(_ image: String) -> CommandResult {
        guard Self.isReference(image) else { return .init(exitStatus: 1, output: "invalid reference format\n") }
        let tag = image.split(separator: ":").count > 1 ? String(image.split(separator: ":").last!) : "latest"
        if docker.images.contains(image) {
            return .init(
                exitStatus: 0,
                output:
                    "\(tag): Pulling from \(image)\nDigest: sha256:\(String(repeating: "c", count: 64))\nStatus: Image is up to date for \(image)\n"
            )
        }
        docker.images.append(image)
        var output = "\(tag): Pulling from \(image.split(separator: ":").first!)\n"
        for layer in ["8a1e25ce7c4f", "1103112ebfc4", "b4b80ef7128d", "9e2d9d4d7e3a"] { output += "\(layer): Pull complete\n" }
        return .init(
            exitStatus: 0,
            output: output + "Digest: sha256:\(String(repeating: "c", count: 64))\nStatus: Downloaded newer image for \(image)\n")
    }

    func portConflict(_ config: SimRunConfig, except name: String) -> String? {
        var wanted: (String, Int)?
        if config.network == "host" {
            wanted = (config.envValue("HOST") ?? "0.0.0.0", Int(config.envValue("PORT") ?? "") ?? 8080)
        } else if let binding = config.publish.first {
            wanted = (binding.ip.isEmpty ? "0.0.0.0" : binding.ip, binding.hostPort)
        }
        guard let (_, port) = wanted else { return nil }
        let busy =
            docker.containers.contains { $0.running && $0.name != name && webUIListener($0)?.port == port }
            || ollamaListener()?.port == port
        return busy
            ? "Error response from daemon: failed to set up container networking: driver failed programming external connectivity: Bind for 127.0.0.1:\(port) failed: port is already allocated\n"
            : nil
    }

    mutating func run(_ args: [String]) -> CommandResult {
        let config: SimRunConfig
        switch SimRunConfig.parse(args) {
        case .failure(let error):
            return .init(exitStatus: 125, output: "docker: \(error.message)\n\nRun 'docker run --help' for more information\n")
        case .success(let parsed): config = parsed
        }
        guard config.detach else {
            return .init(exitStatus: 125, output: "phase0 practice: docker run without --detach would stay attached; not simulated\n")
        }
        let name = config.name ?? "container\(docker.containers.count + 1)"
        if let existing = containerIndex(name) {
            return .init(
                exitStatus: 125,
                output:
                    "docker: Error response from daemon: Conflict. The container name \"/\(name)\" is already in use by container \"\(containerID(docker.containers[existing]))\". You have to remove (or rename) that container to be able to reuse that name.\n"
            )
        }
        var output = ""
        if !docker.images.contains(config.image) {
            output += "Unable to find image '\(config.image)' locally\n" + pull(config.image).output
        }
        for volume in config.volumes {
            let source = String(volume.split(separator: ":").first ?? "")
            if !source.hasPrefix("/") && !docker.volumes.contains(source) { docker.volumes.append(source) }
        }
        if config.network == "host" && !config.publish.isEmpty {
            output += "WARNING: Published ports are discarded when using host network mode\n"
        }
        var container = SimContainer(
            name: name, image: config.image, running: false, argv: ["docker", "run"] + args,
            labels: config.labels, memoryBytes: config.memory)
        docker.containers.append(container)
        if let conflict = portConflict(config, except: name) { return .init(exitStatus: 125, output: output + "docker: " + conflict) }
        container.running = true
        container.starts = 1
        docker.containers[docker.containers.count - 1] = container
        return .init(exitStatus: 0, output: output + containerID(container) + "\n")
    }

}
