extension StringProtocol {
    public func trimmingWhitespace() -> String {
        // Nearly every line starts and ends with a visible ASCII character: nothing to trim,
        // and no Unicode property lookups (issue 14: they were a tenth of a practice run).
        let whole = String(self)
        if let first = whole.utf8.first, let last = whole.utf8.last, isVisibleASCII(first), isVisibleASCII(last) {
            return whole
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

}

extension String {
    /// Left-aligned in `width` columns, for tables.
    public func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// ASCII and not White_Space (tab, newline, vertical tab, form feed, return, space).
private func isVisibleASCII(_ byte: UInt8) -> Bool { byte < 0x80 && byte != 0x20 && !(0x09...0x0d).contains(byte) }
