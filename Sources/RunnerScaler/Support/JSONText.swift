import Foundation

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

    /// A document from a `[String: Any]` of strings, integers, finite doubles, booleans, nulls,
    /// arrays and objects, keys sorted: what `JSONSerialization` with `.sortedKeys` writes for
    /// such values (slashes escaped unless `escapingSlashes` is false), without its ICU
    /// collation, which also loads ICU's locale data into the process. Anything else (an
    /// NSNumber, a non-finite double) goes to JSONSerialization.
    static func data(_ object: [String: Any], escapingSlashes: Bool = true) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        if append(any: object, to: &out, escapingSlashes: escapingSlashes) { return out }
        let options: JSONSerialization.WritingOptions = escapingSlashes ? [.sortedKeys] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try JSONSerialization.data(withJSONObject: object, options: options))
    }

    /// False when `value` holds a type this writer leaves to JSONSerialization.
    private static func append(any value: Any, to out: inout [UInt8], escapingSlashes: Bool) -> Bool {
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
            guard d.isFinite else { return false }
            // Whole numbers without ".0", as JSONSerialization writes them.
            let text = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
            out.append(contentsOf: Array(text.utf8))
        case is NSNull:
            out.append(contentsOf: Array("null".utf8))
        case let list as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, item) in list.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard append(any: item, to: &out, escapingSlashes: escapingSlashes) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case let map as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (i, key) in map.keys.sorted(by: byteOrder).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out, escapingSlashes: escapingSlashes)
                out.append(UInt8(ascii: ":"))
                guard append(any: map[key]!, to: &out, escapingSlashes: escapingSlashes) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        default:
            return false
        }
        return true
    }
}
