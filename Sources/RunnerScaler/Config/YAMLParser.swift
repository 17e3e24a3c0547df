/// A YAML reader for the pools file, in the Swift standard library alone.
///
/// Written for us rather than taken from Yams, whose libyaml sits behind Foundation (and whose
/// default resolver compiles its regular expressions through ICU): the Lambda pays for both in
/// start time and resident memory at every cold start (see BENCHMARKS.md).
///
/// It reads one document into a tree of `YAMLNode`s: scalars keep their text, style and explicit
/// tag, untyped (typing is the caller's business, as with Yams' `compose` and the `.basic`
/// resolver). It follows libyaml's scanner and parser closely — the same tokens, the same
/// simple-key and indentation rules, the same folding — so a document reads here as it does
/// with Yams, and what libyaml refuses is refused here too. What it adds or leaves out:
/// - `%YAML` and `%TAG` directives, named tag handles (`!e!x`) and more than one document are
///   refused; a config needs none of them.
/// - A tag on a collection must be `!!seq` / `!!map` (or `!`): the tree keeps tags on scalars
///   only, so any other tag there could not be honoured.
/// - A flow mapping entry must be `key: value` (`{a, b: 1}` is refused): libyaml reads `a` as a
///   key with an empty value, which in a config is almost always a typo.
/// - Repeated keys are kept, in order (Yams refuses them); the caller decides.
/// - Collections nested deeper than `maxDepth` and aliases that expand to more than
///   `maxAliasedNodes` nodes are refused, so no input can exhaust the stack or the memory.
enum YAMLParser {
    /// Nesting deeper than this is refused (a config needs a handful of levels).
    static let maxDepth = 200

    /// Aliases may copy at most this many nodes in all, which stops "billion laughs" documents
    /// (each alias doubling the previous one) from expanding past what a config could hold.
    static let maxAliasedNodes = 100_000

    /// The document's root node, or nil when the text holds no document at all (only comments
    /// and blank lines).
    static func parse(_ text: String) throws(YAMLParseError) -> YAMLNode? {
        var composer = YAMLComposer(scanner: try YAMLScanner(text))
        return try composer.document()
    }
}

/// A node of a parsed YAML document.
indirect enum YAMLNode: Equatable, Sendable {
    /// The scalar's text after unescaping and folding; its style as written; its explicit tag,
    /// resolved (`!!int` is "tag:yaml.org,2002:int", `!foo` stays "!foo", `!` is "!"), or nil.
    case scalar(String, YAMLScalarStyle, tag: String?)
    case sequence([YAMLNode])
    /// Pairs in document order; a key written twice appears twice.
    case mapping([YAMLPair])
}

/// One entry of a mapping (a struct rather than a tuple so `YAMLNode` can be `Equatable`).
struct YAMLPair: Equatable, Sendable {
    var key: YAMLNode
    var value: YAMLNode

    init(_ key: YAMLNode, _ value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// How a scalar was written: a plain scalar may be typed by its text (`10` is an integer),
/// a quoted or block one is a string.
enum YAMLScalarStyle: Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// Where and why a document was refused. Line and column are 1-based (the column counts
/// Unicode scalars) and point at the offending character, or at the start of the construct
/// that is never closed (a quote, a bracket) or that needed a `:` (a mapping key).
struct YAMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String

    var description: String { "line \(line), column \(column): \(message)" }
}

// MARK: - Characters

private extension Unicode.Scalar {
    /// Line breaks as YAML 1.1 (and so libyaml) knows them: LF, CR, NEL, LS and PS.
    var isBreak: Bool {
        self == "\n" || self == "\r" || self == "\u{85}" || self == "\u{2028}" || self == "\u{2029}"
    }

    var isBlank: Bool { self == " " || self == "\t" }

    /// The scanner reads U+0000 past the last character; a NUL in the text itself is refused
    /// up front, so this means the end of the input.
    var isEnd: Bool { value == 0 }

    var isBreakOrEnd: Bool { isBreak || isEnd }

    var isBlankOrEnd: Bool { isBlank || isBreak || isEnd }

    /// Anchor names and tag handles are made of these (libyaml's "alpha" class).
    var isWordCharacter: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2D: true
        default: false
        }
    }

    var isDigit: Bool { value >= 0x30 && value <= 0x39 }

    var hexValue: UInt32? {
        switch value {
        case 0x30...0x39: value - 0x30
        case 0x41...0x46: value - 0x41 + 10
        case 0x61...0x66: value - 0x61 + 10
        default: nil
        }
    }

    /// The characters a YAML stream may hold at all: tab, line breaks and the printable
    /// ranges; other control characters and noncharacters are refused, as libyaml's reader does.
    var isAllowedInYAML: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}

private extension String.UnicodeScalarView {
    /// Appends scalar by scalar: the view's own `append(contentsOf:)` copies the whole
    /// destination on every call, which made long scalars quadratic.
    mutating func appendEach(_ other: String.UnicodeScalarView) {
        for c in other { append(c) }
    }
}

// MARK: - Tokens

/// A position in the text, all 0-based; `index` counts Unicode scalars.
private struct YAMLMark {
    var index = 0
    var line = 0
    var column = 0
}

private func failure(_ message: String, at mark: YAMLMark) -> YAMLParseError {
    YAMLParseError(line: mark.line + 1, column: mark.column + 1, message: message)
}

private struct YAMLToken {
    enum Kind: Equatable {
        case streamStart, streamEnd, documentStart, documentEnd
        case blockSequenceStart, blockMappingStart, blockEnd
        case flowSequenceStart, flowSequenceEnd, flowMappingStart, flowMappingEnd
        case blockEntry, flowEntry, key, value
        case alias(String), anchor(String), tag(handle: String, suffix: String)
        case scalar(String, YAMLScalarStyle)
    }

    var kind: Kind
    var start: YAMLMark

    /// How an error message names the token it did not expect.
    var described: String {
        switch kind {
        case .streamStart: "the start of the input"
        case .streamEnd: "the end of the input"
        case .documentStart: "'---'"
        case .documentEnd: "'...'"
        case .blockSequenceStart: "a block sequence"
        case .blockMappingStart: "a block mapping"
        case .blockEnd: "the end of an indented block"
        case .flowSequenceStart: "'['"
        case .flowSequenceEnd: "']'"
        case .flowMappingStart: "'{'"
        case .flowMappingEnd: "'}'"
        case .blockEntry: "a '-' sequence entry"
        case .flowEntry: "','"
        case .key: "a mapping key"
        case .value: "':'"
        case .alias: "an alias"
        case .anchor: "an anchor"
        case .tag: "a tag"
        case .scalar: "a scalar"
        }
    }
}

// MARK: - Scanner

/// Turns the text into tokens, libyaml's way. Block structure comes from indentation: the
/// scanner keeps a stack of indentation columns and emits BLOCK-SEQUENCE-START /
/// BLOCK-MAPPING-START when a line goes deeper and BLOCK-END when it comes back. A mapping key
/// is only known to be one when its `:` turns up, so every token that could start a "simple
/// key" is remembered, and the KEY (and, if needed, BLOCK-MAPPING-START) token is inserted
/// before it later. Tokens are produced lazily, only as far as the parser needs (plus the
/// look-ahead a pending simple key requires), so the first error in the text is the one reported.
private struct YAMLScanner {
    /// A place where a simple key may have started, one per flow level.
    private struct SimpleKey {
        var possible = false
        /// In block context a token at the mapping's indentation must be a key.
        var required = false
        var tokenNumber = 0
        var mark = YAMLMark()
    }

    /// Characters that cannot start a plain scalar (some can, followed by a non-blank).
    private static let indicators: Set<Unicode.Scalar> = [
        "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
    ]
    private static let flowIndicators: Set<Unicode.Scalar> = [",", "[", "]", "{", "}"]
    /// What may follow an anchor or alias name besides a blank.
    private static let anchorEndings: Set<Unicode.Scalar> = ["?", ":", ",", "]", "}", "%", "@", "`"]
    /// Besides word characters, what a tag may hold.
    private static let uriPunctuation: Set<Unicode.Scalar> = [
        ";", "/", "?", ":", "@", "&", "=", "+", "$", ".", "%", "!", "~", "*", "'", "(", ")",
    ]

    private let text: [Unicode.Scalar]
    private var mark = YAMLMark()
    private var queue: [YAMLToken] = []
    private var head = 0
    /// Tokens handed to the parser so far; simple keys refer to tokens by this numbering.
    private var tokensTaken = 0
    private var headReady = false
    private var started = false
    private var ended = false
    private var indent = -1
    private var indents: [Int] = []
    private var flowLevel = 0
    private var simpleKeyAllowed = false
    private var simpleKeys: [SimpleKey] = []

    init(_ source: String) throws(YAMLParseError) {
        var scalars = Array(source.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }  // byte order mark
        var position = YAMLMark()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            guard c.isAllowedInYAML else {
                var code = String(c.value, radix: 16, uppercase: true)
                while code.count < 4 { code = "0" + code }
                throw failure("character U+\(code) is not allowed in YAML", at: position)
            }
            if c.isBreak {
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                position.line += 1
                position.column = 0
            } else {
                position.column += 1
            }
            i += 1
        }
        text = scalars
    }

    // MARK: Reading characters

    private func at(_ offset: Int) -> Unicode.Scalar {
        let i = mark.index + offset
        return i < text.count ? text[i] : "\0"
    }

    private mutating func skip() {
        mark.index += 1
        mark.column += 1
    }

    private mutating func skipLineBreak() {
        if at(0) == "\r" && at(1) == "\n" {
            mark.index += 2
        } else if at(0).isBreak {
            mark.index += 1
        } else {
            return
        }
        mark.line += 1
        mark.column = 0
    }

    private mutating func read(into out: inout String.UnicodeScalarView) {
        out.append(at(0))
        skip()
    }

    /// Consumes a line break, adding it to `out` as YAML reads it: CR, CRLF and NEL become
    /// LF; LS and PS stay themselves.
    private mutating func readLineBreak(into out: inout String.UnicodeScalarView) {
        let c = at(0)
        guard c.isBreak else { return }
        out.append(c == "\u{2028}" || c == "\u{2029}" ? c : "\n")
        skipLineBreak()
    }

    private func atDocumentMarker() -> Bool {
        mark.column == 0
            && ((at(0) == "-" && at(1) == "-" && at(2) == "-") || (at(0) == "." && at(1) == "." && at(2) == "."))
            && at(3).isBlankOrEnd
    }

    // MARK: The token queue

    mutating func peek() throws(YAMLParseError) -> YAMLToken {
        if !headReady { try fetchMoreTokens() }
        guard head < queue.count else { return YAMLToken(kind: .streamEnd, start: mark) }
        return queue[head]
    }

    mutating func next() throws(YAMLParseError) -> YAMLToken {
        let token = try peek()
        if head < queue.count {
            head += 1
            tokensTaken += 1
            headReady = false
            // Drop what the parser has taken, now and then, so insertions stay cheap.
            if head >= 64 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
        }
        return token
    }

    private mutating func enqueue(_ kind: YAMLToken.Kind, at start: YAMLMark) {
        queue.append(YAMLToken(kind: kind, start: start))
    }

    /// A token that is its own text (`[`, `,`, `-`, `?`, `:`, `---`): skipped and queued.
    private mutating func enqueueIndicator(_ kind: YAMLToken.Kind, length: Int = 1) {
        let start = mark
        for _ in 0..<length { skip() }
        enqueue(kind, at: start)
    }

    /// Scans until the head token is settled: nothing pending could still insert a KEY before it.
    private mutating func fetchMoreTokens() throws(YAMLParseError) {
        while true {
            var needMore = head == queue.count
            if !needMore {
                try staleSimpleKeys()
                needMore = simpleKeys.contains { $0.possible && $0.tokenNumber == tokensTaken }
            }
            if !needMore || ended { break }
            try fetchNextToken()
        }
        headReady = true
    }

    private mutating func fetchNextToken() throws(YAMLParseError) {
        if !started {
            started = true
            indent = -1
            simpleKeys.append(SimpleKey())
            simpleKeyAllowed = true
            enqueue(.streamStart, at: mark)
            return
        }
        try skipToNextToken()
        try staleSimpleKeys()
        unrollIndent(to: mark.column)

        let c = at(0)
        if c.isEnd { return try fetchStreamEnd() }
        if mark.column == 0 && c == "%" {
            throw failure("directives (%YAML, %TAG) are not supported", at: mark)
        }
        if atDocumentMarker() {
            return try fetchDocumentIndicator(c == "-" ? .documentStart : .documentEnd)
        }
        switch c {
        case "[": return try fetchFlowCollectionStart(.flowSequenceStart)
        case "{": return try fetchFlowCollectionStart(.flowMappingStart)
        case "]": return try fetchFlowCollectionEnd(.flowSequenceEnd)
        case "}": return try fetchFlowCollectionEnd(.flowMappingEnd)
        case ",": return try fetchFlowEntry()
        default: break
        }
        let next = at(1)
        if c == "-" && next.isBlankOrEnd { return try fetchBlockEntry() }
        if c == "?" && (flowLevel > 0 || next.isBlankOrEnd) { return try fetchKey() }
        if c == ":" && (flowLevel > 0 || next.isBlankOrEnd) { return try fetchValue() }
        switch c {
        case "*": return try fetchAnchor(isAlias: true)
        case "&": return try fetchAnchor(isAlias: false)
        case "!": return try fetchTag()
        case "|" where flowLevel == 0: return try fetchBlockScalar(literal: true)
        case ">" where flowLevel == 0: return try fetchBlockScalar(literal: false)
        case "'": return try fetchQuotedScalar(single: true)
        case "\"": return try fetchQuotedScalar(single: false)
        default: break
        }
        // A plain scalar starts with anything but an indicator; `-` followed by a non-blank,
        // and in block context `?` and `:` followed by a non-blank, start one too.
        if !(c.isBlankOrEnd || Self.indicators.contains(c))
            || (c == "-" && !next.isBlank)
            || (flowLevel == 0 && (c == "?" || c == ":") && !next.isBlankOrEnd) {
            return try fetchPlainScalar()
        }
        if c == "\t" { throw failure("tab characters cannot be used for indentation", at: mark) }
        throw failure("'\(c)' cannot start a value; quote the value", at: mark)
    }

    /// Skips spaces, comments and line breaks. Tabs count as separation inside flow
    /// collections and after a key or value on the same line, never as indentation.
    private mutating func skipToNextToken() throws(YAMLParseError) {
        while true {
            if mark.column == 0 && at(0) == "\u{FEFF}" { skip() }
            while at(0) == " " || ((flowLevel > 0 || !simpleKeyAllowed) && at(0) == "\t") { skip() }
            if at(0) == "#" {
                while !at(0).isBreakOrEnd { skip() }
            }
            guard at(0).isBreak else { return }
            skipLineBreak()
            if flowLevel == 0 { simpleKeyAllowed = true }
        }
    }

    // MARK: Simple keys and indentation

    /// A simple key must sit on one line and be shorter than 1024 characters; a remembered
    /// place that can no longer be one is dropped (an error if a key was required there).
    private mutating func staleSimpleKeys() throws(YAMLParseError) {
        for i in simpleKeys.indices {
            let key = simpleKeys[i]
            guard key.possible, key.mark.line < mark.line || key.mark.index + 1024 < mark.index else { continue }
            if key.required {
                throw key.mark.line < mark.line ? missingColon(key)
                    : failure("a mapping key must be shorter than 1024 characters", at: key.mark)
            }
            simpleKeys[i].possible = false
        }
    }

    private func missingColon(_ key: SimpleKey) -> YAMLParseError {
        failure("expected ':' after this mapping key (a key must fit on one line)", at: key.mark)
    }

    private mutating func saveSimpleKey() throws(YAMLParseError) {
        guard simpleKeyAllowed else { return }
        let key = SimpleKey(
            possible: true,
            required: flowLevel == 0 && indent == mark.column,
            tokenNumber: tokensTaken + (queue.count - head),
            mark: mark)
        try removeSimpleKey()
        simpleKeys[simpleKeys.count - 1] = key
    }

    private mutating func removeSimpleKey() throws(YAMLParseError) {
        let key = simpleKeys[simpleKeys.count - 1]
        if key.possible && key.required { throw missingColon(key) }
        simpleKeys[simpleKeys.count - 1].possible = false
    }

    /// Opens a block collection at `column` if it is deeper than the current one; the start
    /// token goes at the end of the queue, or before token `number` (a key found late).
    private mutating func rollIndent(to column: Int, number: Int?, _ kind: YAMLToken.Kind, at start: YAMLMark) {
        guard flowLevel == 0, indent < column else { return }
        indents.append(indent)
        indent = column
        let token = YAMLToken(kind: kind, start: start)
        if let number {
            queue.insert(token, at: queuePosition(of: number))
        } else {
            queue.append(token)
        }
    }

    /// Where token `number` sits in the queue. A pending simple key always refers to a token
    /// not yet taken (the queue holds back until it is settled); the clamp only keeps a broken
    /// invariant from trapping.
    private func queuePosition(of number: Int) -> Int {
        min(max(head + (number - tokensTaken), head), queue.count)
    }

    /// Closes every block collection deeper than `column`.
    private mutating func unrollIndent(to column: Int) {
        guard flowLevel == 0 else { return }
        while indent > column {
            enqueue(.blockEnd, at: mark)
            indent = indents.popLast() ?? -1
        }
    }

    // MARK: Fetching each kind of token

    private mutating func fetchStreamEnd() throws(YAMLParseError) {
        if mark.column != 0 {
            mark.column = 0
            mark.line += 1
        }
        unrollIndent(to: -1)
        try removeSimpleKey()
        simpleKeyAllowed = false
        ended = true
        enqueue(.streamEnd, at: mark)
    }

    private mutating func fetchDocumentIndicator(_ kind: YAMLToken.Kind) throws(YAMLParseError) {
        unrollIndent(to: -1)
        try removeSimpleKey()
        simpleKeyAllowed = false
        enqueueIndicator(kind, length: 3)
    }

    private mutating func fetchFlowCollectionStart(_ kind: YAMLToken.Kind) throws(YAMLParseError) {
        try saveSimpleKey()
        simpleKeys.append(SimpleKey())
        flowLevel += 1
        simpleKeyAllowed = true
        enqueueIndicator(kind)
    }

    private mutating func fetchFlowCollectionEnd(_ kind: YAMLToken.Kind) throws(YAMLParseError) {
        try removeSimpleKey()
        if flowLevel > 0 {
            flowLevel -= 1
            simpleKeys.removeLast()
        }
        simpleKeyAllowed = false
        enqueueIndicator(kind)
    }

    private mutating func fetchFlowEntry() throws(YAMLParseError) {
        try removeSimpleKey()
        simpleKeyAllowed = true
        enqueueIndicator(.flowEntry)
    }

    private mutating func fetchBlockEntry() throws(YAMLParseError) {
        if flowLevel == 0 {
            guard simpleKeyAllowed else {
                throw failure("a '-' sequence entry cannot start here; put the sequence on its own lines", at: mark)
            }
            rollIndent(to: mark.column, number: nil, .blockSequenceStart, at: mark)
        }
        // In a flow collection '-' is an error the parser reports with its context.
        try removeSimpleKey()
        simpleKeyAllowed = true
        enqueueIndicator(.blockEntry)
    }

    private mutating func fetchKey() throws(YAMLParseError) {
        if flowLevel == 0 {
            guard simpleKeyAllowed else { throw failure("a '?' mapping key cannot start here", at: mark) }
            rollIndent(to: mark.column, number: nil, .blockMappingStart, at: mark)
        }
        try removeSimpleKey()
        simpleKeyAllowed = flowLevel == 0
        enqueueIndicator(.key)
    }

    private mutating func fetchValue() throws(YAMLParseError) {
        let key = simpleKeys[simpleKeys.count - 1]
        if key.possible {
            // The token remembered as a possible key is one: put KEY before it, and open a
            // block mapping at its column if this is a new, deeper mapping.
            queue.insert(YAMLToken(kind: .key, start: key.mark), at: queuePosition(of: key.tokenNumber))
            rollIndent(to: key.mark.column, number: key.tokenNumber, .blockMappingStart, at: key.mark)
            simpleKeys[simpleKeys.count - 1].possible = false
            simpleKeyAllowed = false
        } else {
            if flowLevel == 0 {
                guard simpleKeyAllowed else {
                    throw failure("mapping values are not allowed here; quote a value that contains ': '", at: mark)
                }
                rollIndent(to: mark.column, number: nil, .blockMappingStart, at: mark)
            }
            simpleKeyAllowed = flowLevel == 0
        }
        enqueueIndicator(.value)
    }

    private mutating func fetchAnchor(isAlias: Bool) throws(YAMLParseError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        skip()
        var name = String.UnicodeScalarView()
        while at(0).isWordCharacter { read(into: &name) }
        let what = isAlias ? "an alias" : "an anchor"
        guard !name.isEmpty else {
            throw failure("expected the name of \(what) after '\(isAlias ? "*" : "&")'", at: mark)
        }
        guard at(0).isBlankOrEnd || Self.anchorEndings.contains(at(0)) else {
            throw failure("the name of \(what) may hold only letters, digits, '_' and '-'", at: mark)
        }
        enqueue(isAlias ? .alias(String(name)) : .anchor(String(name)), at: start)
    }

    private mutating func fetchTag() throws(YAMLParseError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        var handle: String
        var suffix: String
        if at(1) == "<" {
            // Verbatim: !<tag:example.com,2026:thing>
            handle = ""
            skip(); skip()
            suffix = try scanTagURI(verbatim: true, head: "")
            guard at(0) == ">" else { throw failure("expected '>' to close the verbatim tag", at: mark) }
            skip()
        } else {
            // `!!suffix` or `!name!suffix` (a handle), else `!suffix` or `!` alone.
            let first = scanTagHandle()
            if first.unicodeScalars.count > 1 && first.hasSuffix("!") {
                handle = first
                suffix = try scanTagURI(verbatim: false, head: "")
            } else {
                suffix = try scanTagURI(verbatim: false, head: first)
                handle = "!"
                if suffix.isEmpty {
                    handle = ""
                    suffix = "!"
                }
            }
        }
        guard at(0).isBlankOrEnd || (flowLevel > 0 && at(0) == ",") else {
            throw failure("expected a space or a line break after the tag", at: mark)
        }
        enqueue(.tag(handle: handle, suffix: suffix), at: start)
    }

    /// `!`, then word characters, then a closing `!` if there is one.
    private mutating func scanTagHandle() -> String {
        var handle = String.UnicodeScalarView()
        read(into: &handle)
        while at(0).isWordCharacter { read(into: &handle) }
        if at(0) == "!" { read(into: &handle) }
        return String(handle)
    }

    /// The rest of a tag: URI characters, `%XX` escapes decoded. `head` is a handle that turned
    /// out to be the start of the name (its `!` dropped).
    private mutating func scanTagURI(verbatim: Bool, head: String) throws(YAMLParseError) -> String {
        var bytes = Array(head.utf8.dropFirst())
        var length = head.unicodeScalars.count
        while true {
            let c = at(0)
            guard c.isWordCharacter || Self.uriPunctuation.contains(c) || (verbatim && (c == "," || c == "[" || c == "]")) else {
                break
            }
            if c == "%" {
                try scanURIEscapes(into: &bytes)
            } else {
                bytes += Array(String(c).utf8)
                skip()
            }
            length += 1
        }
        guard length > 0 else { throw failure("expected a tag name", at: mark) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One UTF-8 character written as `%XX` escapes.
    private mutating func scanURIEscapes(into bytes: inout [UInt8]) throws(YAMLParseError) {
        var width = 0
        repeat {
            guard at(0) == "%", let high = at(1).hexValue, let low = at(2).hexValue else {
                throw failure("expected a %XX escape in the tag", at: mark)
            }
            let octet = UInt8(high << 4 | low)
            // libyaml would keep the NUL and cut the tag short there, as C strings do.
            guard octet != 0 else { throw failure("a tag cannot hold the character U+0000", at: mark) }
            if width == 0 {
                width = octet & 0x80 == 0 ? 1 : octet & 0xE0 == 0xC0 ? 2 : octet & 0xF0 == 0xE0 ? 3 : octet & 0xF8 == 0xF0 ? 4 : 0
                guard width > 0 else { throw failure("the escape in the tag is not UTF-8", at: mark) }
            } else if octet & 0xC0 != 0x80 {
                throw failure("the escape in the tag is not UTF-8", at: mark)
            }
            bytes.append(octet)
            skip(); skip(); skip()
            width -= 1
        } while width > 0
    }

    private mutating func fetchBlockScalar(literal: Bool) throws(YAMLParseError) {
        try removeSimpleKey()
        simpleKeyAllowed = true
        let start = mark
        let text = try scanBlockScalar(literal: literal)
        enqueue(.scalar(text, literal ? .literal : .folded), at: start)
    }

    private mutating func fetchQuotedScalar(single: Bool) throws(YAMLParseError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        let text = try scanQuotedScalar(single: single)
        enqueue(.scalar(text, single ? .singleQuoted : .doubleQuoted), at: start)
    }

    private mutating func fetchPlainScalar() throws(YAMLParseError) {
        try saveSimpleKey()
        simpleKeyAllowed = false
        let start = mark
        let text = try scanPlainScalar()
        enqueue(.scalar(text, .plain), at: start)
    }

    // MARK: Scalars

    /// `|` or `>`, an optional chomping indicator (`-` strip, `+` keep) and indentation digit in
    /// either order, a comment, then the lines indented at least as far as the first one (or
    /// the explicit indentation). `>` folds a line break between two lines that do not start
    /// with a blank into a space.
    private mutating func scanBlockScalar(literal: Bool) throws(YAMLParseError) -> String {
        skip()
        var chomping = 0
        var increment = 0
        if at(0) == "+" || at(0) == "-" {
            chomping = at(0) == "+" ? 1 : -1
            skip()
            if at(0).isDigit {
                guard at(0) != "0" else { throw failure("the indentation indicator must be 1 to 9", at: mark) }
                increment = Int(at(0).value - 0x30)
                skip()
            }
        } else if at(0).isDigit {
            guard at(0) != "0" else { throw failure("the indentation indicator must be 1 to 9", at: mark) }
            increment = Int(at(0).value - 0x30)
            skip()
            if at(0) == "+" || at(0) == "-" {
                chomping = at(0) == "+" ? 1 : -1
                skip()
            }
        }
        while at(0).isBlank { skip() }
        if at(0) == "#" {
            while !at(0).isBreakOrEnd { skip() }
        }
        guard at(0).isBreakOrEnd else {
            throw failure("expected a comment or a line break after the block scalar indicator", at: mark)
        }
        skipLineBreak()

        var blockIndent = increment > 0 ? (indent >= 0 ? indent + increment : increment) : 0
        var out = String.UnicodeScalarView()
        var leadingBreak = String.UnicodeScalarView()
        var trailingBreaks = String.UnicodeScalarView()
        try scanBlockScalarBreaks(indent: &blockIndent, breaks: &trailingBreaks)
        var leadingBlank = false
        while mark.column == blockIndent && !at(0).isEnd {
            let trailingBlank = at(0).isBlank
            if !literal && leadingBreak.first == "\n" && !leadingBlank && !trailingBlank {
                if trailingBreaks.isEmpty { out.append(" ") }
            } else {
                out.appendEach(leadingBreak)
            }
            leadingBreak.removeAll()
            out.appendEach(trailingBreaks)
            trailingBreaks.removeAll()
            leadingBlank = at(0).isBlank
            while !at(0).isBreakOrEnd { read(into: &out) }
            readLineBreak(into: &leadingBreak)
            try scanBlockScalarBreaks(indent: &blockIndent, breaks: &trailingBreaks)
        }
        if chomping != -1 { out.appendEach(leadingBreak) }
        if chomping == 1 { out.appendEach(trailingBreaks) }
        return String(out)
    }

    /// The indentation and empty lines before a block scalar's next content line; settles the
    /// scalar's indentation from its first content line when no indicator gave it.
    private mutating func scanBlockScalarBreaks(indent blockIndent: inout Int, breaks: inout String.UnicodeScalarView) throws(YAMLParseError) {
        var maxIndent = 0
        while true {
            while (blockIndent == 0 || mark.column < blockIndent) && at(0) == " " { skip() }
            maxIndent = max(maxIndent, mark.column)
            if (blockIndent == 0 || mark.column < blockIndent) && at(0) == "\t" {
                throw failure("tab characters cannot be used for indentation", at: mark)
            }
            guard at(0).isBreak else { break }
            readLineBreak(into: &breaks)
        }
        if blockIndent == 0 {
            blockIndent = max(maxIndent, indent + 1, 1)
        }
    }

    /// A single- or double-quoted scalar. Line breaks inside fold like a plain scalar's: one
    /// break becomes a space, each further one a newline; blanks around breaks are dropped.
    private mutating func scanQuotedScalar(single: Bool) throws(YAMLParseError) -> String {
        let start = mark
        let quote: Unicode.Scalar = single ? "'" : "\""
        skip()
        var out = String.UnicodeScalarView()
        var leadingBreak = String.UnicodeScalarView()
        var trailingBreaks = String.UnicodeScalarView()
        var whitespaces = String.UnicodeScalarView()
        while true {
            if atDocumentMarker() {
                throw failure("a document marker ('---' or '...') cannot appear inside a quoted scalar", at: mark)
            }
            if at(0).isEnd {
                throw failure("unterminated \(single ? "single" : "double")-quoted scalar", at: start)
            }
            var leadingBlanks = false
            while !at(0).isBlankOrEnd {
                let c = at(0)
                if single && c == "'" && at(1) == "'" {
                    out.append("'")
                    skip(); skip()
                } else if c == quote {
                    break
                } else if !single && c == "\\" && at(1).isBreak {
                    skip()
                    skipLineBreak()
                    leadingBlanks = true
                    break
                } else if !single && c == "\\" {
                    try scanEscape(into: &out)
                } else {
                    read(into: &out)
                }
            }
            if at(0) == quote { break }
            while at(0).isBlank || at(0).isBreak {
                if at(0).isBlank {
                    if leadingBlanks { skip() } else { read(into: &whitespaces) }
                } else if !leadingBlanks {
                    whitespaces.removeAll()
                    readLineBreak(into: &leadingBreak)
                    leadingBlanks = true
                } else {
                    readLineBreak(into: &trailingBreaks)
                }
            }
            if leadingBlanks {
                fold(&out, leadingBreak: &leadingBreak, trailingBreaks: &trailingBreaks)
            } else {
                out.appendEach(whitespaces)
                whitespaces.removeAll()
            }
        }
        skip()
        return String(out)
    }

    /// Joins lines across breaks: a lone LF becomes a space, further breaks are kept.
    private func fold(_ out: inout String.UnicodeScalarView, leadingBreak: inout String.UnicodeScalarView,
                      trailingBreaks: inout String.UnicodeScalarView) {
        if leadingBreak.first == "\n" {
            if trailingBreaks.isEmpty { out.append(" ") } else { out.appendEach(trailingBreaks) }
        } else {
            out.appendEach(leadingBreak)
            out.appendEach(trailingBreaks)
        }
        leadingBreak.removeAll()
        trailingBreaks.removeAll()
    }

    /// A backslash escape in a double-quoted scalar, at the backslash.
    private mutating func scanEscape(into out: inout String.UnicodeScalarView) throws(YAMLParseError) {
        let start = mark
        let simple: Unicode.Scalar?
        var digits = 0
        switch at(1) {
        case "0": simple = "\0"
        case "a": simple = "\u{07}"
        case "b": simple = "\u{08}"
        case "t", "\t": simple = "\t"
        case "n": simple = "\n"
        case "v": simple = "\u{0B}"
        case "f": simple = "\u{0C}"
        case "r": simple = "\r"
        case "e": simple = "\u{1B}"
        case " ": simple = " "
        case "\"": simple = "\""
        case "/": simple = "/"
        case "\\": simple = "\\"
        case "N": simple = "\u{85}"
        case "_": simple = "\u{A0}"
        case "L": simple = "\u{2028}"
        case "P": simple = "\u{2029}"
        case "x": simple = nil; digits = 2
        case "u": simple = nil; digits = 4
        case "U": simple = nil; digits = 8
        default:
            let shown = at(1).isBlankOrEnd ? "" : String(at(1))
            throw failure("unknown escape sequence '\\\(shown)'", at: start)
        }
        let letter = at(1)
        skip(); skip()
        if let simple {
            out.append(simple)
            return
        }
        var value: UInt32 = 0
        for k in 0..<digits {
            guard let digit = at(k).hexValue else {
                throw failure("expected \(digits) hexadecimal digits after '\\\(letter)'", at: start)
            }
            value = value << 4 | digit
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw failure("the escape '\\\(letter)' does not name a Unicode character", at: start)
        }
        out.append(scalar)
        for _ in 0..<digits { skip() }
    }

    /// A plain scalar. It ends at ': ', ' #', a flow indicator inside a flow collection, or
    /// a line indented no deeper than the enclosing block; lines fold as in a quoted scalar.
    private mutating func scanPlainScalar() throws(YAMLParseError) -> String {
        var out = String.UnicodeScalarView()
        var leadingBreak = String.UnicodeScalarView()
        var trailingBreaks = String.UnicodeScalarView()
        var whitespaces = String.UnicodeScalarView()
        var leadingBlanks = false
        let minIndent = indent + 1
        while true {
            if atDocumentMarker() || at(0) == "#" { break }
            while !at(0).isBlankOrEnd {
                let c = at(0)
                if flowLevel > 0 && c == ":" && (Self.flowIndicators.contains(at(1)) || at(1) == "?") {
                    throw failure("':' inside a flow collection must be followed by a space; quote the value", at: mark)
                }
                if (c == ":" && at(1).isBlankOrEnd) || (flowLevel > 0 && Self.flowIndicators.contains(c)) { break }
                if leadingBlanks {
                    fold(&out, leadingBreak: &leadingBreak, trailingBreaks: &trailingBreaks)
                    leadingBlanks = false
                } else if !whitespaces.isEmpty {
                    out.appendEach(whitespaces)
                    whitespaces.removeAll()
                }
                read(into: &out)
            }
            guard at(0).isBlank || at(0).isBreak else { break }
            while at(0).isBlank || at(0).isBreak {
                if at(0).isBlank {
                    if leadingBlanks && mark.column < minIndent && at(0) == "\t" {
                        throw failure("tab characters cannot be used for indentation", at: mark)
                    }
                    if leadingBlanks { skip() } else { read(into: &whitespaces) }
                } else if !leadingBlanks {
                    whitespaces.removeAll()
                    readLineBreak(into: &leadingBreak)
                    leadingBlanks = true
                } else {
                    readLineBreak(into: &trailingBreaks)
                }
            }
            if flowLevel == 0 && mark.column < minIndent { break }
        }
        // After a line break a new simple key may start (the next line's key).
        if leadingBlanks { simpleKeyAllowed = true }
        return String(out)
    }
}

// MARK: - Composer

/// Builds the node tree from the tokens, by recursive descent over libyaml's grammar:
///
///     document  ::= block_node? | '---' block_node? ; then '...'* and the end
///     block_node ::= ALIAS | properties? (block_collection | flow_collection | SCALAR)
///     block_mapping ::= BLOCK-MAPPING-START (KEY node? (VALUE node?)?)* BLOCK-END
///     block_sequence ::= BLOCK-SEQUENCE-START (BLOCK-ENTRY node?)* BLOCK-END
///     indentless_sequence ::= (BLOCK-ENTRY node?)+   (a sequence at its key's column)
///     flow_sequence ::= '[' (entry ',')* entry? ']'   where entry may be a one-pair `k: v`
///     flow_mapping ::= '{' (KEY node? (VALUE node?)? ',')* ... '}'
///
/// A missing node is an empty plain scalar, as in libyaml.
private struct YAMLComposer {
    var scanner: YAMLScanner
    /// Anchored nodes, and how many nodes each holds (for the alias expansion limit).
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var nodeCount = 0
    /// The `[` / `{` tokens of the flow collections being read, innermost last: the input
    /// ending inside one is reported at its opening bracket.
    private var openFlows: [YAMLToken] = []

    init(scanner: YAMLScanner) {
        self.scanner = scanner
    }

    private static let empty = YAMLNode.scalar("", .plain, tag: nil)

    mutating func document() throws(YAMLParseError) -> YAMLNode? {
        _ = try scanner.next()  // STREAM-START
        var token = try scanner.peek()
        if token.kind == .streamEnd { return nil }
        let root: YAMLNode
        if token.kind == .documentStart {
            _ = try scanner.next()
            token = try scanner.peek()
            switch token.kind {
            case .documentStart, .documentEnd, .streamEnd: root = Self.empty
            default: root = try node(block: true, indentless: false, depth: 0)
            }
        } else {
            root = try node(block: true, indentless: false, depth: 0)
        }
        token = try scanner.peek()
        var ended = false
        while token.kind == .documentEnd {
            ended = true
            _ = try scanner.next()
            token = try scanner.peek()
        }
        switch token.kind {
        case .streamEnd: return root
        case .documentStart: throw failure("multiple documents are not supported", at: token.start)
        default:
            throw failure(ended ? "content after the end of the document ('...')"
                                : "expected the end of the document, found \(token.described)", at: token.start)
        }
    }

    private mutating func emptyNode() -> YAMLNode {
        nodeCount += 1
        return Self.empty
    }

    /// A node with its anchor and tag. `indentless` allows a block sequence at the column of
    /// the key it belongs to (`key:\n- a`).
    private mutating func node(block: Bool, indentless: Bool, depth: Int) throws(YAMLParseError) -> YAMLNode {
        var token = try scanner.peek()
        if case let .alias(name) = token.kind {
            _ = try scanner.next()
            guard let anchored = anchors[name] else { throw failure("unknown alias '*\(name)'", at: token.start) }
            nodeCount += anchored.size
            guard nodeCount <= YAMLParser.maxAliasedNodes else {
                throw failure("aliases expand to more than \(YAMLParser.maxAliasedNodes) nodes", at: token.start)
            }
            return anchored.node
        }
        var anchor: String?
        var tagToken: YAMLToken?
        if case let .anchor(name) = token.kind {
            anchor = name
            _ = try scanner.next()
            token = try scanner.peek()
            if case .tag = token.kind {
                tagToken = token
                _ = try scanner.next()
                token = try scanner.peek()
            }
        } else if case .tag = token.kind {
            tagToken = token
            _ = try scanner.next()
            token = try scanner.peek()
            if case let .anchor(name) = token.kind {
                anchor = name
                _ = try scanner.next()
                token = try scanner.peek()
            }
        }
        var tag: String?
        if let tagToken { tag = try Self.resolve(tagToken) }
        let before = nodeCount
        let result: YAMLNode
        switch token.kind {
        case .blockEntry where indentless:
            try checkCollectionTag(tag, tagToken, expected: "tag:yaml.org,2002:seq", kind: "sequence")
            result = try indentlessSequence(first: token, depth: depth)
        case let .scalar(text, style):
            _ = try scanner.next()
            nodeCount += 1
            result = .scalar(text, style, tag: tag)
        case .flowSequenceStart:
            try checkCollectionTag(tag, tagToken, expected: "tag:yaml.org,2002:seq", kind: "sequence")
            _ = try scanner.next()
            result = try flowSequence(start: token, depth: depth)
        case .flowMappingStart:
            try checkCollectionTag(tag, tagToken, expected: "tag:yaml.org,2002:map", kind: "mapping")
            _ = try scanner.next()
            result = try flowMapping(start: token, depth: depth)
        case .blockSequenceStart where block:
            try checkCollectionTag(tag, tagToken, expected: "tag:yaml.org,2002:seq", kind: "sequence")
            _ = try scanner.next()
            result = try blockSequence(start: token, depth: depth)
        case .blockMappingStart where block:
            try checkCollectionTag(tag, tagToken, expected: "tag:yaml.org,2002:map", kind: "mapping")
            _ = try scanner.next()
            result = try blockMapping(start: token, depth: depth)
        default:
            // Properties alone make an empty scalar; the token is left for the caller.
            guard anchor != nil || tag != nil else {
                if token.kind == .streamEnd, let open = openFlows.last { throw unterminated(open) }
                throw failure("expected a value, found \(token.described)", at: token.start)
            }
            nodeCount += 1
            result = .scalar("", .plain, tag: tag)
        }
        if let anchor { anchors[anchor] = (result, nodeCount - before) }
        return result
    }

    /// The full tag for a tag token: `!!x` is in YAML's own namespace, `!x` is local, `!<x>` is x.
    private static func resolve(_ token: YAMLToken) throws(YAMLParseError) -> String {
        guard case let .tag(handle, suffix) = token.kind else { return "" }
        switch handle {
        case "": return suffix
        case "!": return "!" + suffix
        case "!!": return "tag:yaml.org,2002:" + suffix
        default: throw failure("undefined tag handle '\(handle)' (%TAG directives are not supported)", at: token.start)
        }
    }

    /// The tree keeps no tag on collections, so only the tag that names the collection's own
    /// kind (or the non-specific `!`) is accepted there.
    private func checkCollectionTag(_ tag: String?, _ token: YAMLToken?, expected: String, kind: String) throws(YAMLParseError) {
        guard let tag, let token, tag != "!", tag != expected,
              case let .tag(handle, suffix) = token.kind else { return }
        let written = handle.isEmpty ? "!<\(suffix)>" : handle + suffix
        let allowed = expected == "tag:yaml.org,2002:seq" ? "!!seq" : "!!map"
        throw failure("a \(kind) cannot carry the tag \(written) (only \(allowed) is accepted there)", at: token.start)
    }

    /// A collection node starts at `token`: refused past `maxDepth` levels, else counted.
    private mutating func beginCollection(_ depth: Int, at token: YAMLToken) throws(YAMLParseError) {
        guard depth < YAMLParser.maxDepth else {
            throw failure("collections nested deeper than \(YAMLParser.maxDepth) levels", at: token.start)
        }
        nodeCount += 1
    }

    /// A node for a block collection entry, or an empty scalar when the entry is empty
    /// (the next token is one of `enders`).
    private mutating func blockValue(depth: Int, indentless: Bool, enders: YAMLToken.Kind...) throws(YAMLParseError) -> YAMLNode {
        let next = try scanner.peek()
        if enders.contains(next.kind) { return emptyNode() }
        return try node(block: true, indentless: indentless, depth: depth)
    }

    private mutating func blockSequence(start: YAMLToken, depth: Int) throws(YAMLParseError) -> YAMLNode {
        try beginCollection(depth, at: start)
        var items: [YAMLNode] = []
        while true {
            let token = try scanner.next()
            switch token.kind {
            case .blockEntry:
                items.append(try blockValue(depth: depth + 1, indentless: false, enders: .blockEntry, .blockEnd))
            case .blockEnd:
                return .sequence(items)
            case .blockMappingStart, .blockSequenceStart:
                throw failure("bad indentation: expected a '-' entry at column \(start.start.column + 1), "
                    + "like the sequence at line \(start.start.line + 1)", at: token.start)
            default:
                throw failure("expected a '-' sequence entry, found \(token.described)", at: token.start)
            }
        }
    }

    private mutating func indentlessSequence(first: YAMLToken, depth: Int) throws(YAMLParseError) -> YAMLNode {
        try beginCollection(depth, at: first)
        var items: [YAMLNode] = []
        while try scanner.peek().kind == .blockEntry {
            _ = try scanner.next()
            items.append(try blockValue(depth: depth + 1, indentless: false, enders: .blockEntry, .key, .value, .blockEnd))
        }
        return .sequence(items)
    }

    private mutating func blockMapping(start: YAMLToken, depth: Int) throws(YAMLParseError) -> YAMLNode {
        try beginCollection(depth, at: start)
        var pairs: [YAMLPair] = []
        while true {
            let token = try scanner.next()
            switch token.kind {
            case .key:
                let key = try blockValue(depth: depth + 1, indentless: true, enders: .key, .value, .blockEnd)
                var value: YAMLNode
                if try scanner.peek().kind == .value {
                    _ = try scanner.next()
                    value = try blockValue(depth: depth + 1, indentless: true, enders: .key, .value, .blockEnd)
                } else {
                    value = emptyNode()
                }
                pairs.append(YAMLPair(key, value))
            case .blockEnd:
                return .mapping(pairs)
            case .blockEntry:
                throw failure("expected a mapping key, found a '-' sequence entry", at: token.start)
            case .blockMappingStart, .blockSequenceStart:
                // A deeper collection where the next key was due: the line is indented less
                // than the entries above it but more than this mapping's keys.
                throw failure("bad indentation: expected a key at column \(start.start.column + 1), "
                    + "like the mapping at line \(start.start.line + 1)", at: token.start)
            default:
                throw failure("expected a mapping key at column \(start.start.column + 1), found \(token.described)", at: token.start)
            }
        }
    }

    private func unterminated(_ open: YAMLToken) -> YAMLParseError {
        open.kind == .flowSequenceStart
            ? failure("unterminated flow sequence: '[' is never closed", at: open.start)
            : failure("unterminated flow mapping: '{' is never closed", at: open.start)
    }

    /// After an entry of a flow collection: ',' or the closing bracket.
    private func separatorError(_ token: YAMLToken, in start: YAMLToken, closer: String) -> YAMLParseError {
        let what = closer == "]" ? "flow sequence" : "flow mapping"
        if token.kind == .streamEnd { return unterminated(start) }
        return failure("expected ',' or '\(closer)' in the \(what) that starts at line \(start.start.line + 1), "
            + "column \(start.start.column + 1), found \(token.described)", at: token.start)
    }

    private mutating func flowSequence(start: YAMLToken, depth: Int) throws(YAMLParseError) -> YAMLNode {
        try beginCollection(depth, at: start)
        openFlows.append(start)
        defer { openFlows.removeLast() }
        var items: [YAMLNode] = []
        var first = true
        while let token = try nextFlowEntry(in: start, closer: .flowSequenceEnd, first: &first) {
            if token.kind == .key {
                // A single-pair mapping: [a: 1, b]
                _ = try scanner.next()
                try beginCollection(depth + 1, at: token)
                let key: YAMLNode
                let next = try scanner.peek()
                switch next.kind {
                case .value, .flowEntry:
                    // libyaml consumes the token here, so `[? : x]` and `[? , x]` are errors there too.
                    _ = try scanner.next()
                    key = emptyNode()
                case .flowSequenceEnd:
                    key = emptyNode()
                default:
                    key = try node(block: false, indentless: false, depth: depth + 2)
                }
                let value = try flowValue(closer: .flowSequenceEnd, depth: depth + 2)
                items.append(.mapping([YAMLPair(key, value)]))
            } else {
                items.append(try node(block: false, indentless: false, depth: depth + 1))
            }
        }
        return .sequence(items)
    }

    private mutating func flowMapping(start: YAMLToken, depth: Int) throws(YAMLParseError) -> YAMLNode {
        try beginCollection(depth, at: start)
        openFlows.append(start)
        defer { openFlows.removeLast() }
        var pairs: [YAMLPair] = []
        var first = true
        while let token = try nextFlowEntry(in: start, closer: .flowMappingEnd, first: &first) {
            guard token.kind == .key else {
                switch token.kind {
                case .streamEnd:
                    throw unterminated(start)
                case .scalar, .alias, .anchor, .tag, .flowSequenceStart, .flowMappingStart:
                    throw failure("a flow mapping entry needs 'key: value' with the ':' on the key's line", at: token.start)
                default:
                    throw failure("expected a mapping key, found \(token.described)", at: token.start)
                }
            }
            _ = try scanner.next()
            let next = try scanner.peek()
            let key = next.kind == .value || next.kind == .flowEntry || next.kind == .flowMappingEnd
                ? emptyNode() : try node(block: false, indentless: false, depth: depth + 1)
            pairs.append(YAMLPair(key, try flowValue(closer: .flowMappingEnd, depth: depth + 1)))
        }
        return .mapping(pairs)
    }

    /// The token that starts the next entry of a flow collection (after the ',' that must
    /// separate it from the previous one), or nil once the closing bracket is consumed; a
    /// trailing ',' before the bracket is allowed.
    private mutating func nextFlowEntry(in start: YAMLToken, closer: YAMLToken.Kind,
                                        first: inout Bool) throws(YAMLParseError) -> YAMLToken? {
        var token = try scanner.peek()
        if !first, token.kind != closer {
            guard token.kind == .flowEntry else {
                throw separatorError(token, in: start, closer: closer == .flowSequenceEnd ? "]" : "}")
            }
            _ = try scanner.next()
            token = try scanner.peek()
        }
        first = false
        if token.kind == closer {
            _ = try scanner.next()
            return nil
        }
        return token
    }

    /// The value of a flow pair: the node after ':', or an empty node when ':' is missing or
    /// followed directly by ',' or the closing bracket.
    private mutating func flowValue(closer: YAMLToken.Kind, depth: Int) throws(YAMLParseError) -> YAMLNode {
        guard try scanner.peek().kind == .value else { return emptyNode() }
        _ = try scanner.next()
        let after = try scanner.peek()
        return after.kind == .flowEntry || after.kind == closer
            ? emptyNode() : try node(block: false, indentless: false, depth: depth)
    }
}
