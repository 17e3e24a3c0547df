/// Reads a JSON document (RFC 8259) into plain values: `[String: Any]`, `[Any]`, `String`,
/// `Bool`, `Int` (a number written without fraction or exponent that fits), `Double` (any
/// other number) and `JSONNull`.
///
/// It replaces Foundation's `JSONSerialization` for the documents we read without a fixed
/// shape (error bodies, Lambda events, secrets). That class lives in the legacy `Foundation`
/// module; linking it costs the Lambda process ~4 MiB of resident memory at start (see
/// BENCHMARKS.md). A syntax error names what was found and where (line and column), which
/// `JSONDecoder` does not.
enum JSONReader {
    struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        var message: String
        var line: Int
        var column: Int
        var description: String { "\(message) at line \(line), column \(column)" }
    }

    /// Nesting deeper than this is refused rather than risking the stack.
    static let maximumDepth = 512

    /// Any JSON value at the top level (RFC 8259 allows scalars there too).
    static func parse(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> Any {
        var reader = Cursor(bytes: Array(bytes))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.atEnd else { throw reader.error("Unexpected \(reader.describeCurrent()) after the document") }
        return value
    }

    /// The top-level object, or nil when the text is not JSON or not an object.
    static func object(_ bytes: some Collection<UInt8>) -> [String: Any]? {
        (try? parse(bytes)) as? [String: Any]
    }

    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // A UTF-8 byte order mark is tolerated, as JSONSerialization does.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        var atEnd: Bool { index >= bytes.count }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        func describeCurrent() -> String {
            guard index < bytes.count else { return "end of text" }
            let byte = bytes[index]
            if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }

        /// Line and column (1-based, columns in bytes) of the current position.
        func error(_ message: String) -> SyntaxError {
            let position = TextPosition(of: index, in: bytes)
            return SyntaxError(message: message, line: position.line, column: position.column)
        }

        mutating func value(depth: Int) throws(SyntaxError) -> Any {
            guard index < bytes.count else { throw error("Unexpected end of text, expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "t"): try literal("true"); return true
            case UInt8(ascii: "f"): try literal("false"); return false
            case UInt8(ascii: "n"): try literal("null"); return JSONNull()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("Unexpected \(describeCurrent()), expected a value")
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            for byte in word.utf8 {
                guard index < bytes.count, bytes[index] == byte else {
                    throw error("Unexpected \(describeCurrent()) in the literal \(word)")
                }
                index += 1
            }
        }

        mutating func object(depth: Int) throws(SyntaxError) -> [String: Any] {
            guard depth <= JSONReader.maximumDepth else { throw error("Too deeply nested") }
            index += 1  // {
            var map: [String: Any] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return map }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("Unexpected \(describeCurrent()), expected a string key")
                }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw error("Unexpected \(describeCurrent()), expected ':' after a key")
                }
                index += 1
                skipSpace()
                map[key] = try value(depth: depth)
                skipSpace()
                guard index < bytes.count else { throw error("Unexpected end of text, expected ',' or '}'") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return map }
                throw error("Unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> [Any] {
            guard depth <= JSONReader.maximumDepth else { throw error("Too deeply nested") }
            index += 1  // [
            var list: [Any] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return list }
            while true {
                skipSpace()
                list.append(try value(depth: depth))
                skipSpace()
                guard index < bytes.count else { throw error("Unexpected end of text, expected ',' or ']'") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return list }
                throw error("Unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            index += 1  // opening quote
            var out: [UInt8] = []
            // Runs without escapes are copied in one go.
            var runStart = index
            while true {
                guard index < bytes.count else { throw error("Unterminated string") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    out.append(contentsOf: bytes[runStart..<index])
                    index += 1
                    break
                }
                if byte < 0x20 { throw error("Unescaped control character 0x\(String(byte, radix: 16)) in a string") }
                if byte != UInt8(ascii: "\\") { index += 1; continue }
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw error("Unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("Unpaired surrogate in a \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("Unpaired surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("Unpaired surrogate in a \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("Invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    index -= 1
                    throw error("Invalid escape \(describeCurrent()) in a string")
                }
                runStart = index
            }
            guard let text = String(validating: out, as: UTF8.self) else {
                throw error("String is not valid UTF-8")
            }
            return text
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard index < bytes.count else { throw error("Unterminated \\u escape") }
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("Invalid hex digit \(describeCurrent()) in a \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func number() throws(SyntaxError) -> Any {
            let start = index
            func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("Unexpected \(describeCurrent()) in a number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { throw error("Leading zero in a number") }
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            var integral = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("Unexpected \(describeCurrent()) after a decimal point") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                integral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("Unexpected \(describeCurrent()) in an exponent") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if integral, let int = Int(text) { return int }
            guard let double = Double(text), double.isFinite else {
                index = start
                throw error("Number out of range")
            }
            return double
        }
    }
}

/// JSON's `null` (and YAML's) in the plain values `JSONReader` and the pools file reader
/// return: a value, so it can sit in `[String: Any]` where a missing key is `nil`.
struct JSONNull: Hashable, Sendable, CustomStringConvertible {
    var description: String { "null" }
}
