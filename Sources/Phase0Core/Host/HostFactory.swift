/// Makes the machine a run works on. The executable picks one factory (live or practice) and
/// every subcommand builds its host through it, so `--scenario` and a saved simulated machine
/// mean the same thing everywhere.
public protocol HostFactory {
    var mode: RunMode { get }
    /// The type of the snapshot this factory's hosts save with the progress, to decode it.
    var snapshotType: (any HostSnapshot.Type)? { get }
    /// The host for a run: the saved machine when there is one, else a new one (with the
    /// scenario at `scenarioPath` applied, where the factory has scenarios).
    func makeHost(saved: (any HostSnapshot)?, scenarioPath: String?) throws -> MadeHost
}

public struct MadeHost {
    public var host: Host
    /// What to tell the operator before anything else (what a practice scenario rehearses).
    public var notice: String?
    public init(host: Host, notice: String? = nil) {
        self.host = host
        self.notice = notice
    }
}

/// This machine, for real.
public struct LiveHostFactory: HostFactory {
    public init() {}
    public var mode: RunMode { .live }
    public var snapshotType: (any HostSnapshot.Type)? { nil }
    public func makeHost(saved: (any HostSnapshot)?, scenarioPath: String?) throws -> MadeHost {
        MadeHost(host: LiveHost())
    }
}
