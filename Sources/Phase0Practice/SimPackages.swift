import Phase0Core
import Phase0Parsers

/// apt-get / ufw / mosh on the simulated Spark (Step 1). Root is needed where the real tools
/// need it, so a practice run shows the same "Permission denied" a forgotten sudo would.
extension SimulatedSpark {
    /// The programs each simulated package provides, and the version apt would install.
    static let packageContents: [String: (programs: [String], version: String)] = [
        "mosh": (["mosh", "mosh-server", "mosh-client"], "1.4.0-1build1")
    ]

    func packageInstalled(_ package: String) -> Bool {
        guard let contents = Self.packageContents[package] else { return programs.contains(package) }
        return contents.programs.allSatisfy(programs.contains)
    }

    mutating func simulatePackages(_ name: String, _ args: [String], as user: String) -> CommandResult {
        switch name {
        case "apt-get", "apt": return simulateApt(args, as: user)
        case "ufw": return simulateUfw(args, as: user)
        case "dpkg-query": return simulateDpkgQuery(args)
        case "mosh", "mosh-server":
            guard args == ["--version"] else {
                return .init(
                    exitStatus: 1, output: "phase0 practice: \(name) \(args.joined(separator: " ")) is not simulated (only --version)\n")
            }
            let version = "1.4.0"
            return .init(
                exitStatus: 0,
                output: name == "mosh"
                    ? "mosh \(version) [build mosh \(version)]\n"
                    : "mosh-server (mosh \(version)) [build mosh \(version)]\nCopyright 2012 Keith Winstein <mosh-devel@mit.edu>\n")
        default:
            return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }

    /// `apt-get update`, `apt-get install [-y] PACKAGE...`.
    mutating func simulateApt(_ args: [String], as user: String) -> CommandResult {
        let words = args.filter { !$0.hasPrefix("-") }
        let assumeYes = args.contains("-y") || args.contains("--yes") || args.contains("--assume-yes")
        guard let verb = words.first else { return .init(exitStatus: 100, output: "E: Invalid operation\n") }
        guard user == "root" else {
            return .init(
                exitStatus: 100,
                output:
                    "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock, are you root?\n"
            )
        }
        switch verb {
        case "update":
            return .init(
                exitStatus: 0,
                output: """
                    Hit:1 http://ports.ubuntu.com/ubuntu-ports noble InRelease
                    Get:2 http://ports.ubuntu.com/ubuntu-ports noble-updates InRelease [126 kB]
                    Hit:3 https://pkgs.tailscale.com/stable/ubuntu noble InRelease
                    Fetched 126 kB in 1s (180 kB/s)
                    Reading package lists... Done

                    """)
        case "install":
            let packages = Array(words.dropFirst())
            guard !packages.isEmpty else { return .init(exitStatus: 0, output: "0 upgraded, 0 newly installed, 0 to remove.\n") }
            var text = "Reading package lists... Done\nBuilding dependency tree... Done\n"
            for package in packages where !aptAvailable.contains(package) && !packageInstalled(package) {
                return .init(exitStatus: 100, output: text + "E: Unable to locate package \(package)\n")
            }
            let missing = packages.filter { !packageInstalled($0) }
            for package in packages where packageInstalled(package) {
                text += "\(package) is already the newest version (\(Self.packageContents[package]?.version ?? "1.0")).\n"
            }
            guard !missing.isEmpty else { return .init(exitStatus: 0, output: text + "0 upgraded, 0 newly installed, 0 to remove.\n") }
            text += "The following NEW packages will be installed:\n  \(missing.joined(separator: " "))\n"
            guard assumeYes else {
                // Without -y apt asks, and with no terminal answer it aborts.
                return .init(exitStatus: 1, output: text + "Do you want to continue? [Y/n] Abort.\n")
            }
            for package in missing {
                let contents = Self.packageContents[package] ?? ([package], "1.0")
                for program in contents.programs where !programs.contains(program) { programs.append(program) }
                text += "Unpacking \(package) (\(contents.version)) ...\nSetting up \(package) (\(contents.version)) ...\n"
            }
            programs.sort()
            return .init(exitStatus: 0, output: text)
        default:
            return .init(exitStatus: 100, output: "phase0 practice: apt-get \(verb) is not simulated\n")
        }
    }

    /// `dpkg-query -W -f=${Version} PACKAGE` (also `-f FORMAT`, `--showformat=FORMAT`).
    func simulateDpkgQuery(_ args: [String]) -> CommandResult {
        guard args.contains("-W") || args.contains("--show"), let package = args.last, !package.hasPrefix("-") else {
            return .init(exitStatus: 2, output: "phase0 practice: only dpkg-query -W -f=FORMAT PACKAGE is simulated\n")
        }
        guard Self.packageContents[package] != nil, packageInstalled(package) else {
            return .init(exitStatus: 1, output: "dpkg-query: no packages found matching \(package)\n")
        }
        let version = Self.packageContents[package]!.version
        let wantsVersionOnly = args.contains { $0.contains("${Version}") }
        return .init(exitStatus: 0, output: wantsVersionOnly ? version : "\(package)\t\(version)\n")
    }

    /// `ufw status`, `ufw allow PORTS/PROTO`: root only, like the real ufw.
    mutating func simulateUfw(_ args: [String], as user: String) -> CommandResult {
        guard user == "root" else { return .init(exitStatus: 1, output: "ERROR: You need to be root to run this script\n") }
        switch args.first {
        case "status":
            guard ufw.active else { return .init(exitStatus: 0, output: "Status: inactive\n") }
            var text = "Status: active\n\nTo                         Action      From\n--                         ------      ----\n"
            for rule in ufw.rules { text += rule.padding(27) + "ALLOW       Anywhere\n" }
            for rule in ufw.rules { text += (rule + " (v6)").padding(27) + "ALLOW       Anywhere (v6)\n" }
            return .init(exitStatus: 0, output: text)
        case "allow":
            guard args.count == 2, Self.isPortRule(args[1]) else { return .init(exitStatus: 1, output: "ERROR: Bad port\n") }
            if ufw.rules.contains(args[1]) {
                return .init(exitStatus: 0, output: "Skipping adding existing rule\nSkipping adding existing rule (v6)\n")
            }
            ufw.rules.append(args[1])
            return .init(exitStatus: 0, output: ufw.active ? "Rule added\nRule added (v6)\n" : "Rules updated\nRules updated (v6)\n")
        default:
            return .init(exitStatus: 1, output: "phase0 practice: ufw \(args.joined(separator: " ")) is not simulated\n")
        }
    }

    /// "60000:61000/udp" or "22/tcp": what the simulated ufw accepts.
    static func isPortRule(_ rule: String) -> Bool {
        let parts = rule.split(separator: "/")
        guard parts.count == 2, ["udp", "tcp"].contains(parts[1]) else { return false }
        let ports = parts[0].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(ports.count), ports.allSatisfy({ $0.map { (1...65535).contains($0) } ?? false }) else { return false }
        return ports.count == 1 || ports[0]! < ports[1]!
    }
}
