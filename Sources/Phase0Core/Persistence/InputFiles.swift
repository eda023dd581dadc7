import FoundationEssentials
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// Reads an operator-supplied JSON file (answers, scenario) with the same care as the resume
/// file: a regular file, not writable by others, not empty, at most 1 MiB, no key twice in an
/// object (JSONDecoder would silently keep one of the two values).
public func readInputFile(_ path: String, what: String) throws -> Data {
    var st = stat()
    guard lstat(path, &st) == 0 else {
        throw InputFileError(path: path, problem: "cannot be read: \(errnoText())")
    }
    if (st.st_mode & S_IFMT) == S_IFLNK {
        throw InputFileError(path: path, problem: "is a symbolic link; give the \(what) file itself")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw InputFileError(path: path, problem: "is not a regular file") }
    if st.st_mode & 0o002 != 0 {
        throw InputFileError(
            path: path,
            problem:
                "is writable by every user (mode \(String(st.st_mode & 0o777, radix: 8))); anyone could have changed it. `chmod o-w` it first"
        )
    }
    guard st.st_size <= 1024 * 1024 else { throw InputFileError(path: path, problem: "is larger than 1 MiB; not a \(what) file") }
    let data: Data
    switch readWholeFile(path, limit: 1024 * 1024) {
    case .success(let read): data = read
    case .failure(.tooLarge): throw InputFileError(path: path, problem: "is larger than 1 MiB; not a \(what) file")
    case .failure(.system(let reason)): throw InputFileError(path: path, problem: "cannot be read: \(reason)")
    }
    if data.isEmpty { throw InputFileError(path: path, problem: "is empty") }
    try refuseDuplicateKeys(data, path: path)
    return data
}

/// A key given twice in one object means two values where phase0 can use one.
func refuseDuplicateKeys(_ data: Data, path: String) throws {
    guard let duplicate = JSONDuplicateKeys.first(in: Array(data)) else { return }
    let place = duplicate.path.isEmpty ? "" : " (in \(duplicate.path))"
    throw InputFileError(
        path: path,
        problem:
            "gives the key \"\(duplicate.key)\" twice\(place); a JSON reader would silently keep one of the values, so phase0 refuses to guess which you meant"
    )
}

/// Control characters (newline, tab, escape, NUL, DEL, C1) and the invisible characters that
/// reorder text: no answer needs one, and on a terminal they can clear or rewrite the screen.
public func hasControlCharacters(_ text: String) -> Bool {
    text.unicodeScalars.contains { TerminalText.needsEscape($0) || $0 == "\t" || $0 == "\n" }
}

/// The answers file of `--answers`: a JSON object of string values, only known keys.
public func loadAnswersFile(_ path: String, knownKeys: Set<String>) throws -> [String: String] {
    let data = try readInputFile(path, what: "answers")
    let answers: [String: String]
    do {
        answers = try JSONDecoder().decode([String: String].self, from: data)
    } catch {
        throw InputFileError(
            path: path,
            problem: "must be a JSON object whose values are all strings (like {\"swapSize\": \"128G\"}): \(describeDecodingError(error))")
    }
    if let unknown = answers.keys.sorted().first(where: { !knownKeys.contains($0) }) {
        throw InputFileError(path: path, problem: "unknown key \"\(unknown)\"; known keys: \(knownKeys.sorted().joined(separator: ", "))")
    }
    for (key, value) in answers.sorted(by: { $0.key < $1.key }) {
        if let problem = answerValueProblem(value) { throw InputFileError(path: path, problem: "\"\(key)\" \(problem)") }
    }
    return answers
}

/// What no answer may hold, whatever its question: a control character, or a secret (no
/// answer of this procedure is one; the value is never echoed back).
public func answerValueProblem(_ value: String) -> String? {
    if value.unicodeScalars.contains(where: { $0.value == 0 }) { return "contains a NUL character" }
    if hasControlCharacters(value) {
        return "contains a control character (newline, tab, escape…); no answer needs one"
    }
    if let kind = Redactor.secretKind(in: value) {
        return "looks like a secret (\(kind)); no answer of this procedure is a secret, and phase0 never stores one"
    }
    return nil
}
