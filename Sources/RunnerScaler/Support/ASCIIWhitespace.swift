extension StringProtocol {
    /// Trims spaces, tabs, CR and LF only: header values are ASCII-delimited, and this needs no
    /// Foundation. Works on scalars because "\r\n" is a single Character.
    func trimmingASCIIWhitespace() -> Substring {
        let scalars = Substring(self).unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return Substring(scalars[first...last])
    }
}
