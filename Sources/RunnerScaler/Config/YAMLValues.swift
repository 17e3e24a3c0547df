/// The pools file as plain values (`[String: Any]`, `[Any]`, `String`, `Int`, `Double`,
/// `Bool`, `JSONNull`), read with our `YAMLParser` and typed here.
///
/// The rules for plain scalars are those of Yams' default resolver (YAML 1.1's core types),
/// applied without regular expressions, which compiled through ICU at every cold start (see
/// BENCHMARKS.md): `~`, `null` and empty are null; `true/false/yes/no/on/off` (lower, Title or
/// UPPER case) are booleans; decimal, `0x`, `0o`/`0` and `0b` integers with `_` separators;
/// decimal floats with `.inf` and `.nan`. Quoted and block scalars are always strings. Unlike
/// Yams' default, a date stays a string and `<<` merge keys are not expanded.
enum YAMLValues {
    static func load(_ yaml: String) throws(YAMLParseError) -> Any? {
        guard let root = try YAMLParser.parse(yaml) else { return nil }
        return value(root)
    }

    static func value(_ node: YAMLNode) -> Any {
        switch node {
        case let .scalar(text, style, tag):
            // Quoted and block scalars are strings unless a tag says otherwise; so is `!!str 10`.
            guard let tag = tag.map(Tag.init(name:)) else { return style == .plain ? typed(text) : text }
            return tag == .str ? text : typed(text, as: tag)
        case let .mapping(pairs):
            var out: [String: Any] = [:]
            for pair in pairs {
                let key: String
                if case let .scalar(text, _, _) = pair.key { key = text } else { key = "\(value(pair.key))" }
                out[key] = value(pair.value)
            }
            return out
        case let .sequence(items):
            return items.map(value)
        }
    }

    /// The core-schema tags a document may name explicitly (`!!int 5`).
    enum Tag: Equatable {
        case null, bool, int, float, str, other
        init(name: String) {
            switch name {
            case "tag:yaml.org,2002:null": self = .null
            case "tag:yaml.org,2002:bool": self = .bool
            case "tag:yaml.org,2002:int": self = .int
            case "tag:yaml.org,2002:float": self = .float
            case "tag:yaml.org,2002:str": self = .str
            default: self = .other
            }
        }
    }

    /// A plain scalar typed by the rules above; `tag` is `.str` unless the document gave an
    /// explicit tag (`!!int 5`), which then decides.
    static func typed(_ text: String, as tag: Tag = .str) -> Any {
        switch tag {
        case .null: return JSONNull()
        case .bool: return bool(text) ?? text
        case .int: return int(text) ?? text
        case .float: return float(text) ?? text
        case .str: break
        case .other: return text
        }
        if isNull(text) { return JSONNull() }
        if let b = bool(text) { return b }
        if let i = int(text) { return i }
        if let f = float(text) { return f }
        return text
    }

    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": false
        default: nil
        }
    }

    static func int(_ text: String) -> Int? {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        let radix: Int
        if digits.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0b") { radix = 2; digits = digits.dropFirst(2) }
        else if digits.count > 1, digits.hasPrefix("0") { radix = 8; digits = digits.dropFirst() }
        else { radix = 10 }
        // A separator may not lead (`_1` is a string), as in Yams' rule.
        guard let first = digits.first, first != "_" else { return nil }
        let cleaned = digits.filter { $0 != "_" }
        guard !cleaned.isEmpty, cleaned.allSatisfy({ $0.isASCII && $0.isHexDigit }),
              let magnitude = Int(cleaned, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]? digits [. digits] [e[-+]digits], or .digits; `_` separators allowed in digits.
        let u = Array(text.utf8)
        var i = 0
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        let intStart = i
        while i < u.count, isDigit(u[i]) || (i > intStart && u[i] == UInt8(ascii: "_")) { i += 1 }
        let hasInt = i > intStart
        var hasFraction = false
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, isDigit(u[i]) || (i > start && u[i] == UInt8(ascii: "_")) { i += 1 }
            hasFraction = i > start
        }
        guard hasInt || hasFraction else { return nil }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
            let start = i
            while i < u.count, isDigit(u[i]) { i += 1 }
            guard i > start else { return nil }
        }
        guard i == u.count else { return nil }
        return Double(text.filter { $0 != "_" })
    }
}
