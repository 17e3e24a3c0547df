/// The two percent-encodings AWS requests use. Both leave only RFC 3986's unreserved set
/// (`A-Z a-z 0-9 - . _ ~`) as is and write every other UTF-8 byte as upper-case `%XX`; they
/// differ only in the space.
public enum AWSPercentEncoding {
    /// SigV4's `UriEncode`: a space is `%20`. `keepingSlashes` is for whole paths, whose `/`
    /// separators must survive.
    public static func uriEncode(_ text: String, keepingSlashes: Bool = false) -> String {
        encode(text, space: "%20", extraSafe: keepingSlashes ? UInt8(ascii: "/") : nil)
    }

    /// `application/x-www-form-urlencoded` as botocore writes Query API bodies (Python's
    /// `urlencode`/`quote_plus`): a space is `+`.
    public static func formEncode(_ text: String) -> String {
        encode(text, space: "+", extraSafe: nil)
    }

    /// Reverses `%XX` escapes (not `+`); nil for a broken escape or bytes that are not UTF-8.
    public static func decode(_ text: some StringProtocol) -> String? {
        let bytes = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "%") else { out.append(b); i += 1; continue }
            guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else { return nil }
            out.append(high << 4 | low)
            i += 3
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let upperHex = Array("0123456789ABCDEF".utf8)

    /// Per byte: 1 when RFC 3986 leaves it unreserved.
    private static let unreservedTable: [Bool] = (0...255).map { isUnreserved(UInt8($0)) }

    /// One pass into a buffer sized for the worst case (every byte `%XX`), with a table
    /// lookup per byte: the RunInstances body (7 KB of base64 user data) is encoded on every
    /// launch, and the byte-at-a-time `Array.append` version cost ~80 instructions a byte.
    private static func encode(_ text: String, space: String, extraSafe: UInt8?) -> String {
        let spaceBytes = Array(space.utf8)
        let safe = extraSafe.map(Int.init) ?? -1
        return unreservedTable.withUnsafeBufferPointer { table in
            upperHex.withUnsafeBufferPointer { hex in
                let source = Array(text.utf8)
                return String(unsafeUninitializedCapacity: max(1, source.count * 3)) { out in
                    var n = 0
                    for b in source {
                        if table[Int(b)] || Int(b) == safe {
                            out[n] = b
                            n += 1
                        } else if b == UInt8(ascii: " ") {
                            for s in spaceBytes { out[n] = s; n += 1 }
                        } else {
                            out[n] = UInt8(ascii: "%")
                            out[n + 1] = hex[Int(b >> 4)]
                            out[n + 2] = hex[Int(b & 0x0f)]
                            n += 3
                        }
                    }
                    return n
                }
            }
        }
    }
}
