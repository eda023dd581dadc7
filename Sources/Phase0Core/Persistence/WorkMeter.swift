import Phase0Parsers

/// Counts the work a save costs, for the test that proves a save costs what changed since the
/// one before, not everything so far (issue 14): bytes passed through the Redactor, and bytes
/// of JSON encoded afresh rather than copied from the previous save. Only tests set it (a
/// task-local, internal: only `@testable import` sees it); unset, counting is one load and a
/// branch.
final class WorkMeter: @unchecked Sendable {
    @TaskLocal static var current: WorkMeter?

    var redactedBytes = 0
    var encodedBytes = 0

    init() {}
}
