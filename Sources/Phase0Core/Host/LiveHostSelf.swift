import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// This machine's directories and where phase0 itself runs: the tmux server hosting it
/// (`$TMUX`) and its ancestor processes, which nothing phase0 runs may stop; and its clock.
extension LiveHost {
    public func listDirectory(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public var selfProcess: SelfProcess {
        let tmux = SelfProcess.parseTMUX(getenv("TMUX").map { String(cString: $0) })
        var ancestors: [Int] = []
        var pid = Int(getppid())
        // /proc/PID/stat: "PID (COMM) STATE PPID ..."; COMM may hold spaces and parentheses.
        while pid > 1, ancestors.count < 64 {
            ancestors.append(pid)
            guard let stat = readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { break }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = Int(fields[1]) else { break }
            pid = parent
        }
        return SelfProcess(tmuxSocket: tmux?.socket, tmuxServerPID: tmux?.serverPID, ancestors: ancestors)
    }

    public func pause(seconds: Double) {
        // A signal cuts the sleep short: the caller looks at the interrupt flag next.
        usleep(useconds_t(seconds * 1_000_000))
    }
}
