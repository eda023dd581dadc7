import Phase0Parsers

/// A unified-style line diff for the confirmation screen: files phase0 edits are small
/// (fstab, a unit), so the plain LCS table is fine.
public enum LineDiff {
    public static func render(old: String, new: String, path: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var lines = ["--- \(path) (now)", "+++ \(path) (after)"]
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append("  " + a[i])
                i += 1
                j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                lines.append("- " + a[i])
                i += 1
            } else {
                lines.append("+ " + b[j])
                j += 1
            }
        }
        if lines.last == "  " { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
