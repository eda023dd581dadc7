import Phase0Core
import Phase0Parsers

/// Step 0's commands on the simulated Spark: swap, sysctl, files and mounts.
extension SimulatedSpark {
    mutating func simulateSwap(_ name: String, _ args: [String], as user: String) -> CommandResult {
        let isRoot = user == "root"
        switch name {
        case "fallocate":
            // fallocate -l SIZE PATH
            guard args.count == 3, args[0] == "-l", case .success(let bytes) = ByteSize.parse(args[1]) else {
                return .init(exitStatus: 1, output: "fallocate: usage: fallocate -l SIZE FILE\n")
            }
            let path = args[2]
            guard isRoot else { return Self.denied("fallocate: cannot open \(path)") }
            guard files[parentDirectory(path)]?.isDirectory == true else {
                return .init(exitStatus: 1, output: "fallocate: cannot open \(path): No such file or directory\n")
            }
            guard let fs = mount(for: path) else { return .init(exitStatus: 1, output: "fallocate: no filesystem\n") }
            if fs.fstype == "zfs" { return .init(exitStatus: 1, output: "fallocate: fallocate failed: Operation not supported\n") }
            let existing = files[path]?.size ?? 0
            guard bytes - existing <= fs.availBytes else {
                return .init(exitStatus: 1, output: "fallocate: fallocate failed: No space left on device\n")
            }
            adjustFree(at: path, by: -(max(0, bytes - existing)))
            var file = files[path] ?? SimFile(content: nil, mode: 0o644, size: 0, inode: newInode())
            file.size = max(file.size, bytes)
            file.content = nil
            files[path] = file
            return .init(exitStatus: 0, output: "")
        case "chmod":
            guard args.count == 2, let mode = UInt32(args[0], radix: 8) else {
                return .init(exitStatus: 1, output: "chmod: usage: chmod MODE FILE\n")
            }
            guard files[args[1]] != nil else {
                return .init(exitStatus: 1, output: "chmod: cannot access '\(args[1])': No such file or directory\n")
            }
            guard isRoot || files[args[1]]?.owner == user else { return Self.denied("chmod: changing permissions of '\(args[1])'") }
            files[args[1]]?.mode = mode
            return .init(exitStatus: 0, output: "")
        case "mkswap":
            guard let path = args.last, var file = files[path] else {
                return .init(exitStatus: 1, output: "mkswap: cannot open \(args.last ?? ""): No such file or directory\n")
            }
            guard isRoot else { return Self.denied("mkswap: cannot open \(path)") }
            if swaps.contains(where: { $0.path == path }) {
                return .init(exitStatus: 1, output: "mkswap: \(path): contains a swap area in use; refusing\n")
            }
            file.swapSignature = true
            files[path] = file
            let pages = file.size / 4096 - 1
            var output = ""
            if file.mode & 0o077 != 0 {
                output += "mkswap: \(path): insecure permissions 0\(String(file.mode, radix: 8)), fix with: chmod 0600 \(path)\n"
            }
            output +=
                "Setting up swapspace version 1, size = \(ByteSize.human(bytes: pages * 4096)) (\(pages * 4096) bytes)\nno label, UUID=4d1e9a52-0b7c-4f7e-8c65-2b7c5e1d0a99\n"
            return .init(exitStatus: 0, output: output)
        case "swapon":
            if args.isEmpty || args.first == "--show" || args.first == "-s" {
                return .init(exitStatus: 0, output: Self.swaponTable(swaps))
            }
            let path = args[args.count - 1]
            guard isRoot else { return Self.denied("swapon: \(path): swapon failed") }
            guard let file = files[path] else {
                return .init(exitStatus: 255, output: "swapon: cannot open \(path): No such file or directory\n")
            }
            guard file.swapSignature else { return .init(exitStatus: 255, output: "swapon: \(path): read swap header failed\n") }
            if swaps.contains(where: { $0.path == path }) {
                return .init(exitStatus: 255, output: "swapon: \(path): swapon failed: Device or resource busy\n")
            }
            if file.mode & 0o077 != 0 { return .init(exitStatus: 255, output: "swapon: \(path): insecure permissions\n") }
            let lowest = swaps.map(\.priority).min() ?? -1
            swaps.append(SwapArea(path: path, type: "file", sizeKiB: file.size / 1024 - 4, usedKiB: 0, priority: lowest - 1))
            return .init(exitStatus: 0, output: "")
        case "swapoff":
            // Simulated only to refuse: the procedure never retires swap with the model loaded.
            return .init(
                exitStatus: 1, output: "phase0 practice: swapoff would force swapped pages back into 230 MB of free RAM; not simulated\n")
        case "sysctl":
            if args == ["-n", "vm.swappiness"] { return .init(exitStatus: 0, output: "\(swappiness)\n") }
            if args.count == 2, args[0] == "-w", args[1].hasPrefix("vm.swappiness=") {
                guard isRoot else { return Self.denied("sysctl: permission denied on key \"vm.swappiness\"") }
                guard let value = Int(args[1].dropFirst("vm.swappiness=".count)), (0...200).contains(value) else {
                    return .init(exitStatus: 255, output: "sysctl: setting key \"vm.swappiness\": Invalid argument\n")
                }
                swappiness = value
                return .init(exitStatus: 0, output: "vm.swappiness = \(value)\n")
            }
            return .init(exitStatus: 255, output: "phase0 practice: sysctl \(args.joined(separator: " ")) is not simulated\n")
        case "chattr":
            // chattr +C FILE: no copy-on-write (btrfs swapfiles need it); only on empty files.
            guard args.count == 2, args[0] == "+C", let file = files[args[1]] else {
                return .init(exitStatus: 1, output: "chattr: usage: chattr +C FILE\n")
            }
            guard isRoot else { return Self.denied("chattr: setting flags on \(args[1])") }
            return file.size == 0 ? .init(exitStatus: 0, output: "") : .init(exitStatus: 1, output: "chattr: \(args[1]) is not empty\n")
        case "truncate":
            guard args.count == 3, args[0] == "-s", args[1] == "0" else {
                return .init(exitStatus: 1, output: "truncate: usage: truncate -s 0 FILE\n")
            }
            guard isRoot else { return Self.denied("truncate: cannot open '\(args[2])' for writing") }
            if files[args[2]] == nil {
                files[args[2]] = SimFile(content: nil, mode: 0o644, size: 0, inode: newInode())
            } else {
                let hadContent = files[args[2]]?.content != nil
                files[args[2]]?.size = 0
                files[args[2]]?.content = hadContent ? "" : nil
            }
            return .init(exitStatus: 0, output: "")
        default:
            return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }

    /// `swapon --show` as util-linux lays it out (libsmartcols): NAME and TYPE left-aligned,
    /// SIZE, USED and PRIO right-aligned, one space between; nothing at all without swap.
    static func swaponTable(_ areas: [SwapArea]) -> String {
        guard !areas.isEmpty else { return "" }
        let rows =
            [["NAME", "TYPE", "SIZE", "USED", "PRIO"]]
            + areas.map {
                [$0.path, $0.type, ByteSize.human(kiB: $0.sizeKiB), ByteSize.human(kiB: $0.usedKiB), String($0.priority)]
            }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column < 2
                    ? (column == 4 ? cell : cell.padding(widths[column]))
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: " ") + "\n"
        }.joined()
    }

    mutating func adjustFree(at path: String, by delta: Int64) {
        guard let target = mount(for: path)?.target, let index = mounts.firstIndex(where: { $0.target == target }) else { return }
        mounts[index].availBytes += delta
    }

    /// `findmnt -bno FSTYPE,AVAIL -T DIR` and `findmnt --verify`.
    func simulateFindmnt(_ args: [String]) -> CommandResult {
        if args.first == "--verify" {
            // `findmnt --verify --tab-file FILE` checks FILE instead (undo checks an fstab before it is put in place).
            let tabFile = args.firstIndex(of: "--tab-file").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } ?? "/etc/fstab"
            guard let fstab = files[tabFile]?.content else {
                return .init(exitStatus: 1, output: "findmnt: cannot read \(tabFile): No such file or directory\n")
            }
            var problems: [String] = []
            var seen: Set<String> = []
            for line in fstab.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard let first = fields.first, !first.hasPrefix("#") else { continue }
                if fields.count < 4 {
                    problems.append("\(first): wrong number of fields")
                    continue
                }
                let device = String(first)
                if fields[2] == "swap" {
                    if seen.contains(device) { problems.append("\(device): duplicate swap entry") }
                    seen.insert(device)
                    if device.hasPrefix("/") && files[device] == nil { problems.append("\(device): does not exist") }
                }
            }
            if problems.isEmpty { return .init(exitStatus: 0, output: "Success, no errors or warnings detected\n") }
            return .init(
                exitStatus: 1, output: problems.map { "   [E] \($0)" }.joined(separator: "\n") + "\n\(problems.count) parse errors\n")
        }
        guard let tIndex = args.firstIndex(of: "-T"), tIndex + 1 < args.count else {
            return .init(exitStatus: 1, output: "phase0 practice: findmnt \(args.joined(separator: " ")) is not simulated\n")
        }
        guard let fs = mount(for: args[tIndex + 1]) else { return .init(exitStatus: 1, output: "") }
        return .init(exitStatus: 0, output: "\(fs.fstype) \(fs.availBytes)\n")
    }

    /// The file commands the steps use to write under /etc: atomic install + mv, and backups.
    mutating func simulateFiles(_ name: String, _ args: [String], as user: String, input: String?) -> CommandResult {
        let isRoot = user == "root"
        func writable(_ path: String) -> Bool { isRoot || files[parentDirectory(path)]?.owner == user }
        switch name {
        case "install":
            // install -m MODE /dev/stdin DEST   (content from stdin)
            guard args.count == 4, args[0] == "-m", let mode = UInt32(args[1], radix: 8), args[2] == "/dev/stdin" else {
                return .init(exitStatus: 1, output: "install: usage: install -m MODE /dev/stdin DEST\n")
            }
            let dest = args[3]
            guard files[parentDirectory(dest)]?.isDirectory == true else {
                return .init(exitStatus: 1, output: "install: cannot create regular file '\(dest)': No such file or directory\n")
            }
            guard writable(dest) else { return Self.denied("install: cannot create regular file '\(dest)'") }
            files[dest] = SimFile(content: input ?? "", mode: mode, owner: user)
            return .init(exitStatus: 0, output: "")
        case "mv":
            let operands = args.filter { !$0.hasPrefix("-") }
            guard operands.count == 2, let file = files[operands[0]] else {
                return .init(exitStatus: 1, output: "mv: cannot stat '\(operands.first ?? "")': No such file or directory\n")
            }
            guard writable(operands[1]) else { return Self.denied("mv: cannot move to '\(operands[1])'") }
            if args.contains("-n") || args.contains("--no-clobber"), files[operands[1]] != nil { return .init(exitStatus: 0, output: "") }
            files[operands[1]] = file
            files[operands[0]] = nil
            return .init(exitStatus: 0, output: "")
        case "cp":
            let noClobber = args.contains("-n") || args.contains("--no-clobber") || args.contains("--update=none")
            let operands = args.filter { !$0.hasPrefix("-") }
            guard operands.count == 2, let file = files[operands[0]] else {
                return .init(exitStatus: 1, output: "cp: cannot stat '\(operands.first ?? "")': No such file or directory\n")
            }
            guard writable(operands[1]) else { return Self.denied("cp: cannot create regular file '\(operands[1])'") }
            if noClobber && files[operands[1]] != nil { return .init(exitStatus: 0, output: "") }
            files[operands[1]] = file
            return .init(exitStatus: 0, output: "")
        case "cat":
            guard let path = args.first, let content = files[path]?.content else {
                return .init(exitStatus: 1, output: "cat: \(args.first ?? ""): No such file or directory\n")
            }
            return .init(exitStatus: 0, output: content)
        case "rm":
            // rm -f PATH: what undo uses for a swapfile no longer in use.
            let operands = args.filter { !$0.hasPrefix("-") }
            guard operands.count == 1 else { return .init(exitStatus: 1, output: "rm: usage: rm -f FILE\n") }
            let path = operands[0]
            guard let file = files[path] else { return .init(exitStatus: args.contains("-f") ? 0 : 1, output: "") }
            guard !file.isDirectory else { return .init(exitStatus: 1, output: "rm: cannot remove '\(path)': Is a directory\n") }
            guard writable(path) else { return Self.denied("rm: cannot remove '\(path)'") }
            if swaps.contains(where: { $0.path == path }) {
                return .init(exitStatus: 1, output: "rm: cannot remove '\(path)': Operation not permitted\n")
            }
            files[path] = nil
            adjustFree(at: path, by: file.size)
            return .init(exitStatus: 0, output: "")
        case "test":
            guard args.count == 2 else { return .init(exitStatus: 2, output: "") }
            let file = files[args[1]]
            switch args[0] {
            case "-e": return .init(exitStatus: file != nil ? 0 : 1, output: "")
            case "-d": return .init(exitStatus: file?.isDirectory == true ? 0 : 1, output: "")
            case "-x": return .init(exitStatus: file.map { $0.mode & 0o111 != 0 } == true ? 0 : 1, output: "")
            default: return .init(exitStatus: 2, output: "")
            }
        default:
            return .init(exitStatus: 127, output: "\(name): not simulated\n")
        }
    }
}
