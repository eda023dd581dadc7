import Foundation
import Phase0Core
import Testing

/// `object` as canonical JSON text.
public func json(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// Loads `path` with `load`, expects an InputFileError that names the file and says `problem`,
/// and checks the file was left exactly as it was (bytes, modification time, mode).
public func expectRefused(
    _ path: String, _ problem: String, sourceLocation: SourceLocation = #_sourceLocation, _ load: () throws -> Void
) throws {
    let before = FileManager.default.contents(atPath: path)
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    do {
        try load()
        Issue.record("accepted, expected: \(problem)", sourceLocation: sourceLocation)
    } catch let error as InputFileError {
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
        #expect(error.problem.contains(problem), "\(error.problem)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    #expect(FileManager.default.contents(atPath: path) == before, "the file changed", sourceLocation: sourceLocation)
    let after = try? FileManager.default.attributesOfItem(atPath: path)
    #expect(
        after?[.modificationDate] as? Date == attributes?[.modificationDate] as? Date, sourceLocation: sourceLocation)
    #expect(after?[.posixPermissions] as? Int == attributes?[.posixPermissions] as? Int, sourceLocation: sourceLocation)
}
