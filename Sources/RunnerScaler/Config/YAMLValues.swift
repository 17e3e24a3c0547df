import Foundation
import Yams

/// The pools file as plain values (`[String: Any]`, `[Any]`, `String`, `Int`, `Double`,
/// `Bool`, `NSNull`), read with Yams' parser but typed here.
///
/// Yams' default resolver types plain scalars by matching each one against regular
/// expressions, which compiles them through ICU at every cold start (a measurable part of the
/// Lambda's start time and ~2 MiB of its resident memory, see BENCHMARKS.md). This types them
/// by hand, with the same rules for what a config can hold: `~`, `null` and empty are null;
/// `true/false/yes/no/on/off` (lower, Title or UPPER case) are booleans; decimal, `0x`, `0o`/`0`
/// and `0b` integers with `_` separators; decimal floats with `.inf` and `.nan`. Quoted
/// scalars are always strings. Unlike Yams' default, a date stays a string and `<<` merge keys
/// are not expanded.
enum YAMLValues {
    static func load(_ yaml: String) throws -> Any? {
        guard let root = try Yams.compose(yaml: yaml, .basic) else { return nil }
        return value(root)
    }

    static func value(_ node: Node) -> Any {
        switch node {
        case let .scalar(scalar):
            let explicit = Tag.Name(rawValue: node.tag.description)
            if scalar.style != .plain && scalar.style != .any && explicit == .str { return scalar.string }
            return typed(scalar.string, as: explicit)
        case let .mapping(mapping):
            var out: [String: Any] = [:]
            for (key, item) in mapping {
                out[key.scalar?.string ?? "\(value(key))"] = value(item)
            }
            return out
        case let .sequence(sequence):
            return sequence.map(value)
        case .alias:
            // compose() hands back the anchored node itself; this case exists for emitting.
            return JSONNull()
        }
    }

    /// A plain scalar typed by the rules above; `tag` is `.str` unless the document gave an
    /// explicit tag (`!!int 5`), which then decides.
    static func typed(_ text: String, as tag: Tag.Name = .str) -> Any {
        switch tag {
        case .null: return JSONNull()
        case .bool: return bool(text) ?? text
        case .int: return int(text) ?? text
        case .float: return float(text) ?? text
        case .str: break
        default: return text
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
