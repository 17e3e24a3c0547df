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
        var out = [UInt8]()
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            guard b == UInt8(ascii: "%") else { out.append(b); continue }
            guard bytes.count >= 2, let v = Hex.decode(String(decoding: bytes.prefix(2), as: UTF8.self))
            else { return nil }
            out.append(v[0])
            bytes = bytes.dropFirst(2)
        }
        return String(validating: out, as: UTF8.self)
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

    private static func encode(_ text: String, space: String, extraSafe: UInt8?) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            if isUnreserved(b) || b == extraSafe {
                out.append(b)
            } else if b == UInt8(ascii: " ") {
                out.append(contentsOf: space.utf8)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
