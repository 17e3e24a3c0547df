/// A small, non-validating XML reader for the documents runner-scaler reads: EC2's Query API
/// answers and the runner metadata libvirt prints back. It builds a tree of elements by local
/// name (namespace prefixes dropped), with each element's character data (entities and
/// character references decoded, CDATA included, line ends normalised to LF). It checks well-formedness (one root, tags
/// that nest and match, quoted attributes, known entities) and refuses any DTD, so no entity
/// can expand. Attributes are checked but not kept: nothing we read needs them.
///
/// Written for us rather than Foundation's `XMLParser`, which loads libxml2 and the system ICU
/// into the process (about 2 MiB of a Lambda's resident memory, see BENCHMARKS.md).
public enum XMLReader {
    public struct Element: Sendable, Equatable {
        /// The local name: `ec2:item` and `item` are both `item`.
        public var name: String
        public var children: [Element]
        /// The element's own character data; "" when it has child elements (the whitespace
        /// between them is layout, not content).
        public var text: String

        public init(name: String, children: [Element] = [], text: String = "") {
            self.name = name
            self.children = children
            self.text = text
        }
    }

    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Nesting deeper than this is refused (no answer we read comes close).
    public static let maxDepth = 256

    public static func parse(_ bytes: some Collection<UInt8>) throws(Error) -> Element {
        var reader = Cursor(Array(bytes))
        return try reader.document()
    }

    private struct Cursor {
        let b: [UInt8]
        var i = 0

        init(_ bytes: [UInt8]) { b = bytes }

        func fail(_ reason: String) -> Error {
            Error(line: TextPosition(of: i, in: b).line, reason: reason)
        }

        func starts(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= b.count else { return false }
            let p = s.utf8Start
            for k in 0..<n where b[i + k] != p[k] { return false }
            return true
        }

        static func isSpace(_ c: UInt8) -> Bool {
            c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
        }

        static func isNameByte(_ c: UInt8) -> Bool {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: ":"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), 0x80...0xFF:
                true
            default:
                false
            }
        }

        mutating func skipSpace() { while i < b.count, Self.isSpace(b[i]) { i += 1 } }

        /// Skips up to and past `end`; fails if it never comes.
        mutating func skip(past end: StaticString, what: String) throws(Error) {
            while i < b.count {
                if starts(end) { i += end.utf8CodeUnitCount; return }
                i += 1
            }
            throw fail("unterminated \(what)")
        }

        /// Comments, processing instructions (the XML declaration among them) and whitespace,
        /// as allowed before and after the root element.
        mutating func skipMisc() throws(Error) {
            while true {
                skipSpace()
                if starts("<!--") { i += 4; try skip(past: "-->", what: "comment") }
                else if starts("<?") { i += 2; try skip(past: "?>", what: "processing instruction") }
                else if starts("<!DOCTYPE") || starts("<!doctype") { throw fail("DTDs are not accepted") }
                else { return }
            }
        }

        mutating func name() throws(Error) -> String {
            let start = i
            while i < b.count, Self.isNameByte(b[i]) { i += 1 }
            guard i > start else { throw fail("expected a name") }
            return String(decoding: b[start..<i], as: UTF8.self)
        }

        static func local(_ qualified: String) -> String {
            guard let colon = qualified.lastIndex(of: ":") else { return qualified }
            return String(qualified[qualified.index(after: colon)...])
        }

        mutating func document() throws(Error) -> Element {
            if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }  // UTF-8 byte order mark
            try skipMisc()
            guard i < b.count, b[i] == UInt8(ascii: "<") else { throw fail(i < b.count ? "content before the root element" : "no root element") }
            let root = try element(depth: 1)
            try skipMisc()
            guard i == b.count else { throw fail("content after the root element") }
            return root
        }

        /// One element, starting at its `<`.
        mutating func element(depth: Int) throws(Error) -> Element {
            guard depth <= XMLReader.maxDepth else { throw fail("elements nested deeper than \(XMLReader.maxDepth)") }
            i += 1
            let qualified = try name()
            var element = Element(name: Self.local(qualified))
            // Attributes: checked for shape, not kept.
            while true {
                let hadSpace = i < b.count && Self.isSpace(b[i])
                skipSpace()
                guard i < b.count else { throw fail("unterminated start tag <\(qualified)>") }
                if b[i] == UInt8(ascii: "/") {
                    guard i + 1 < b.count, b[i + 1] == UInt8(ascii: ">") else { throw fail("expected /> in <\(qualified)>") }
                    i += 2
                    return element
                }
                if b[i] == UInt8(ascii: ">") { i += 1; break }
                guard hadSpace else { throw fail("expected a space before an attribute in <\(qualified)>") }
                _ = try name()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("attribute without a value in <\(qualified)>") }
                i += 1
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") else {
                    throw fail("unquoted attribute value in <\(qualified)>")
                }
                let quote = b[i]
                i += 1
                while i < b.count, b[i] != quote {
                    if b[i] == UInt8(ascii: "<") { throw fail("< in an attribute value of <\(qualified)>") }
                    i += 1
                }
                guard i < b.count else { throw fail("unterminated attribute value in <\(qualified)>") }
                i += 1
            }
            // Content, up to the matching end tag.
            var text: [UInt8] = []
            while true {
                guard i < b.count else { throw fail("<\(qualified)> is never closed") }
                let c = b[i]
                if c == UInt8(ascii: "<") {
                    if starts("</") {
                        i += 2
                        let closing = try name()
                        guard closing == qualified else { throw fail("</\(closing)> closes <\(qualified)>") }
                        skipSpace()
                        guard i < b.count, b[i] == UInt8(ascii: ">") else { throw fail("expected > after </\(closing)") }
                        i += 1
                        break
                    } else if starts("<!--") {
                        i += 4
                        try skip(past: "-->", what: "comment")
                    } else if starts("<![CDATA[") {
                        i += 9
                        let start = i
                        try skip(past: "]]>", what: "CDATA section")
                        text += b[start..<(i - 3)]
                    } else if starts("<?") {
                        i += 2
                        try skip(past: "?>", what: "processing instruction")
                    } else if starts("<!") {
                        throw fail("markup declarations are not accepted")
                    } else {
                        element.children.append(try self.element(depth: depth + 1))
                    }
                } else if c == UInt8(ascii: "&") {
                    try reference(into: &text)
                } else if c == 0x0D {
                    // Line ends are normalised to LF, as XML requires of every reader.
                    text.append(0x0A)
                    i += (i + 1 < b.count && b[i + 1] == 0x0A) ? 2 : 1
                } else {
                    text.append(c)
                    i += 1
                }
            }
            if element.children.isEmpty {
                guard let decoded = String(validating: text, as: UTF8.self) else { throw fail("text of <\(qualified)> is not UTF-8") }
                element.text = decoded
            }
            return element
        }

        /// `&amp;` and friends, `&#NN;` and `&#xHH;`, at `&`.
        mutating func reference(into text: inout [UInt8]) throws(Error) {
            let start = i
            i += 1
            while i < b.count, b[i] != UInt8(ascii: ";"), i - start < 12 { i += 1 }
            guard i < b.count, b[i] == UInt8(ascii: ";") else { throw fail("unterminated entity reference") }
            let body = String(decoding: b[(start + 1)..<i], as: UTF8.self)
            i += 1
            switch body {
            case "amp": text.append(UInt8(ascii: "&"))
            case "lt": text.append(UInt8(ascii: "<"))
            case "gt": text.append(UInt8(ascii: ">"))
            case "quot": text.append(UInt8(ascii: "\""))
            case "apos": text.append(UInt8(ascii: "'"))
            default:
                var value: UInt32?
                if body.hasPrefix("#x") { value = UInt32(body.dropFirst(2), radix: 16) }
                else if body.hasPrefix("#") { value = UInt32(body.dropFirst(), radix: 10) }
                guard let value else { throw fail("unknown entity &\(body);") }
                guard let scalar = Unicode.Scalar(value), value != 0 else { throw fail("&\(body); is not a character") }
                text += Array(String(Character(scalar)).utf8)
            }
        }
    }
}
