/// Where a byte offset falls in a text, for the errors of our readers (JSON, XML): the line
/// (1-based, counting LF) and the column (1-based, in bytes from the line's start).
struct TextPosition: Equatable, Sendable {
    var line: Int
    var column: Int

    init(of offset: Int, in bytes: [UInt8]) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        self.line = line
        self.column = end - lineStart + 1
    }
}
