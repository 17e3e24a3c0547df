import Testing
@testable import RunnerScaler

/// The hot-path encoders against their plain definitions.
@Suite("AWS encoding fast paths")
struct EncodingFastPathTests {
    static func referenceEncode(_ text: String, space: String, keepSlash: Bool) -> String {
        var out = ""
        for b in text.utf8 {
            if AWSPercentEncoding.isUnreserved(b) || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(Character(Unicode.Scalar(b)))
            } else if b == UInt8(ascii: " ") {
                out += space
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }

    static let samples = [
        "", " ", "a b", "AZaz09-._~", "+/=", "ünï 🚀", "\u{00}\u{7F}\u{80}",
        String(decoding: (0...127).map { UInt8($0) }, as: UTF8.self),
        String(repeating: "eyJydW5uZXIiOnsibmFtZSI6InJzIn19+/=", count: 200),
    ]

    @Test("Form and URI encoding match the byte-by-byte definition", arguments: samples)
    func percentEncoding(text: String) {
        #expect(AWSPercentEncoding.formEncode(text) == Self.referenceEncode(text, space: "+", keepSlash: false))
        #expect(AWSPercentEncoding.uriEncode(text) == Self.referenceEncode(text, space: "%20", keepSlash: false))
        #expect(AWSPercentEncoding.uriEncode(text, keepingSlashes: true) == Self.referenceEncode(text, space: "%20", keepSlash: true))
    }

    @Test("Trimall's fast path agrees with Python's ' '.join(value.split())", arguments: [
        "", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\u{1c}b", "application/x-www-form-urlencoded; charset=utf-8",
        "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/ec2/aws4_request", "ünï  x", "x\u{85}y", "\n",
    ])
    func trimAll(value: String) {
        let reference = value.split(whereSeparator: { c in
            c.isWhitespace || (c.unicodeScalars.count == 1 && (0x1c...0x1f).contains(c.unicodeScalars.first!.value))
        }).joined(separator: " ")
        #expect(SigV4Signer.trimAll(value) == reference)
    }
}

private extension String {
    var leftPadded: String { count == 1 ? "0" + self : self }
}
