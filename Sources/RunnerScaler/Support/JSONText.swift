#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JSON text for the per-delivery hot path: log lines, webhook responses, Lambda response
/// documents and EMF metric lines. Foundation's `JSONSerialization` with `.sortedKeys` bridges every dictionary to
/// NSDictionary and sorts keys with ICU collation; that cost ~0.25 ms per delivery in the
/// handler benchmark (see BENCHMARKS.md). This writes the same JSON with keys in byte order.
enum JSONText {
    /// Appends `s` as a JSON string literal. `escapingSlashes` writes `/` as `\/`, as
    /// `JSONSerialization` does without `.withoutEscapingSlashes`.
    static func appendString(_ s: String, to out: inout [UInt8], escapingSlashes: Bool = false) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            case UInt8(ascii: "/") where escapingSlashes: out.append(UInt8(ascii: "\\")); out.append(byte)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array(#"\u00"#.utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `s` as a JSON string literal, quotes included.
    static func string(_ s: String, escapingSlashes: Bool = false) -> String {
        var out: [UInt8] = []
        appendString(s, to: &out, escapingSlashes: escapingSlashes)
        return String(decoding: out, as: UTF8.self)
    }

    /// A flat object of string values, keys in byte order.
    static func object(_ fields: [String: String], escapingSlashes: Bool = false) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(fields.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (i, key) in fields.keys.sorted(by: byteOrder).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(key, to: &out, escapingSlashes: escapingSlashes)
            out.append(UInt8(ascii: ":"))
            appendString(fields[key]!, to: &out, escapingSlashes: escapingSlashes)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// What `data(_:)` refuses: a value JSON cannot hold.
    struct UnrepresentableValue: Error, Sendable, CustomStringConvertible {
        var typeName: String
        var description: String { "a \(typeName) value cannot be written as JSON" }
    }

    /// A document from a `[String: Any]` of strings, integers, finite doubles, booleans, nulls
    /// (`JSONNull`), arrays and objects, keys in byte order: what `JSONSerialization` with
    /// `.sortedKeys` writes for such values (slashes escaped unless `escapingSlashes` is
    /// false), without its ICU collation, which also loads ICU's locale data into the process,
    /// and without linking the legacy `Foundation` module. Anything else (a non-finite double,
    /// another type) is refused.
    static func data(_ object: [String: Any], escapingSlashes: Bool = true) throws(UnrepresentableValue) -> [UInt8] {
        try data(any: object, escapingSlashes: escapingSlashes)
    }

    /// Like `data(_:)` for any value, a bare scalar included.
    static func data(any value: Any, escapingSlashes: Bool = true) throws(UnrepresentableValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        if let refused = append(any: value, to: &out, escapingSlashes: escapingSlashes) {
            throw UnrepresentableValue(typeName: refused)
        }
        return out
    }

    /// The type name of the first value JSON cannot hold, or nil when all was written.
    private static func append(any value: Any, to out: inout [UInt8], escapingSlashes: Bool) -> String? {
        switch value {
        case let s as String:
            appendString(s, to: &out, escapingSlashes: escapingSlashes)
        case let b as Bool where type(of: value) == Bool.self:
            out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case let i as Int where type(of: value) == Int.self:
            out.append(contentsOf: Array(String(i).utf8))
        case let i as Int64 where type(of: value) == Int64.self:
            out.append(contentsOf: Array(String(i).utf8))
        case let i as Int32 where type(of: value) == Int32.self:
            out.append(contentsOf: Array(String(i).utf8))
        case let d as Double where type(of: value) == Double.self:
            guard d.isFinite else { return "non-finite Double" }
            // Whole numbers without ".0", as JSONSerialization writes them.
            let text = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
            out.append(contentsOf: Array(text.utf8))
        case is JSONNull:
            out.append(contentsOf: Array("null".utf8))
        case let list as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, item) in list.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if let refused = append(any: item, to: &out, escapingSlashes: escapingSlashes) { return refused }
            }
            out.append(UInt8(ascii: "]"))
        case let map as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (i, key) in map.keys.sorted(by: byteOrder).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out, escapingSlashes: escapingSlashes)
                out.append(UInt8(ascii: ":"))
                if let refused = append(any: map[key]!, to: &out, escapingSlashes: escapingSlashes) { return refused }
            }
            out.append(UInt8(ascii: "}"))
        default:
            return String(describing: type(of: value))
        }
        return nil
    }
}
