import FoundationEssentials
import Phase0Parsers

#if canImport(Glibc)
import Glibc
#endif

/// Reads an operator-supplied JSON file (answers, scenario) with the same care as the resume
/// file: a regular file, not writable by others, not empty, at most 1 MiB, valid JSON.
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
    guard let data = readWholeFile(path) else { throw InputFileError(path: path, problem: "cannot be read: \(errnoText())") }
    if data.isEmpty { throw InputFileError(path: path, problem: "is empty") }
    return data
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
        if value.unicodeScalars.contains(where: { $0.value == 0 }) {
            throw InputFileError(path: path, problem: "\"\(key)\" contains a NUL character")
        }
        // No answer is a secret; one that looks like a secret is refused, and not echoed.
        if let kind = Redactor.secretKind(in: value) {
            throw InputFileError(
                path: path,
                problem: "\"\(key)\" looks like a secret (\(kind)); no answer of this procedure is a secret, and phase0 never stores one")
        }
    }
    return answers
}
