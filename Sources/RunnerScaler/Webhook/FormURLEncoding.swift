/// Decoding of `application/x-www-form-urlencoded` bodies (GitHub's "form" content type
/// sends the JSON as `payload=<percent-encoded json>`).
public enum FormURLEncoding {
    public static func value(named name: String, in body: [UInt8]) -> String? {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decodeComponent(parts[0]), key == name else { continue }
            return parts.count > 1 ? decodeComponent(parts[1]) : ""
        }
        return nil
    }

    /// `+` is a space and `%XX` a byte; nil for a broken escape or invalid UTF-8.
    public static func decodeComponent(_ bytes: some Collection<UInt8>) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var it = bytes.makeIterator()
        while let b = it.next() {
            switch b {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let h = it.next(), let l = it.next(), let v = Hex.decode(String(decoding: [h, l], as: UTF8.self))
                else { return nil }
                out.append(v[0])
            default: out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    public static func encodeComponent(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(b))
            case UInt8(ascii: " "): out += "+"
            default: out += "%" + Hex.encode([b]).uppercased()
            }
        }
        return out
    }
}
