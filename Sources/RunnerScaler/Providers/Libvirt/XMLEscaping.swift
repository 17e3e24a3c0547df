/// Text and attribute values for the domain XML. Every value we did not write ourselves goes
/// through `escape`, so a label such as `</name><evil/>` stays text.
public enum XMLEscaping {
    /// Escaped for use in element text and in single- or double-quoted attributes. Tab, LF
    /// and CR become character references so attribute normalisation keeps them.
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// XML 1.0 cannot carry other control characters, not even as references; such values
    /// are rejected before a document is built (see `LibvirtValidation`).
    public static func isRepresentable(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { s in
            switch s.value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
            default: false
            }
        }
    }
}
