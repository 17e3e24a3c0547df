#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS Signature Version 4 (header form), following botocore's `SigV4Auth` byte for byte.
/// Pure: the signing time is a parameter, and nothing is read from the environment.
public struct SigV4Signer: Sendable, CustomStringConvertible {
    /// Where the session token of temporary credentials goes.
    public enum SessionTokenPlacement: Sendable, Equatable {
        /// As an `X-Amz-Security-Token` header covered by the signature (botocore's
        /// behaviour, and what EC2, SSM and Secrets Manager accept).
        case signedHeader
        /// As a header added after signing, for the few services that want it unsigned.
        case unsignedHeader
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Never signed, like botocore: proxies and HTTP stacks may add or rewrite these.
    static let unsignedHeaderNames: Set<String> = ["expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"]

    public var credentials: SigV4Credentials
    public var region: String
    /// The signing name: `ec2`, `ssm`, `secretsmanager`.
    public var service: String
    public var sessionTokenPlacement: SessionTokenPlacement
    /// Adds a signed `X-Amz-Content-Sha256` header holding the payload hash (S3 requires it).
    public var addsContentSHA256Header: Bool
    /// Whether the canonical path has dot segments and repeated slashes removed and is
    /// URI-encoded again. True for every service but S3.
    public var normalizesPath: Bool

    public init(credentials: SigV4Credentials, region: String, service: String,
                sessionTokenPlacement: SessionTokenPlacement = .signedHeader,
                addsContentSHA256Header: Bool = false, normalizesPath: Bool? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.sessionTokenPlacement = sessionTokenPlacement
        self.addsContentSHA256Header = addsContentSHA256Header
        self.normalizesPath = normalizesPath ?? (service != "s3")
    }

    public var description: String {
        "SigV4Signer(\(service), \(region), \(credentials))"
    }

    public func sign(_ request: AWSRequest, at date: Date) -> SignedRequest {
        let amzDate = UTCTimestamp.amzDate(date)
        let scope = "\(UTCTimestamp.dateStamp(date))/\(region)/\(service)/aws4_request"
        let payloadHash = SHA256.hexHash(request.body)

        var headers = request.headers
        headers.removeAll { $0.name.lowercased() == "authorization" }
        Self.set("X-Amz-Date", amzDate, in: &headers)
        if let token = credentials.sessionToken, sessionTokenPlacement == .signedHeader {
            Self.set("X-Amz-Security-Token", token.exposedValue, in: &headers)
        }
        if addsContentSHA256Header {
            Self.set("X-Amz-Content-Sha256", payloadHash, in: &headers)
        }
        if !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.insert(("Host", request.host), at: 0)
        }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(),
            Self.canonicalPath(request.path, normalizing: normalizesPath),
            Self.canonicalQuery(request.queryItems),
            canonicalHeaders + "\n",
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = [Self.algorithm, amzDate, scope, SHA256.hexHash(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        let key = Self.signingKey(secretAccessKey: credentials.secretAccessKey,
                                  dateStamp: UTCTimestamp.dateStamp(date), region: region, service: service)
        let signature = Hex.encode(HMAC.sha256(key: key, message: Array(stringToSign.utf8)))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"

        if let token = credentials.sessionToken, sessionTokenPlacement == .unsignedHeader {
            Self.set("X-Amz-Security-Token", token.exposedValue, in: &headers)
        }
        headers.append(("Authorization", authorization))

        var signed = request
        signed.headers = headers
        return SignedRequest(request: signed, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                             credentialScope: scope, signedHeaders: signedHeaders, signature: signature,
                             authorization: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    public static func signingKey(secretAccessKey: Secret, dateStamp: String, region: String, service: String) -> [UInt8] {
        var key = HMAC.sha256(key: Array(("AWS4" + secretAccessKey.exposedValue).utf8), message: Array(dateStamp.utf8))
        for part in [region, service, "aws4_request"] {
            key = HMAC.sha256(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// The canonical URI: dot segments and empty segments removed (unless `normalizing` is
    /// false, as for S3), then URI-encoded with `/` kept, as botocore does.
    public static func canonicalPath(_ path: String, normalizing: Bool) -> String {
        guard normalizing else { return path.isEmpty ? "/" : path }
        return AWSPercentEncoding.uriEncode(removeDotSegments(path), keepingSlashes: true)
    }

    /// Names and values URI-encoded, sorted by encoded name and then encoded value.
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (AWSPercentEncoding.uriEncode($0.name), AWSPercentEncoding.uriEncode($0.value)) }
            .sorted { a, b in
                a.0 == b.0 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// RFC 3986 §5.2.4 plus the removal of empty segments AWS wants (`//` → `/`).
    static func removeDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                _ = output.popLast()
            } else {
                output.append(segment)
            }
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return leading + output.joined(separator: "/") + trailing
    }

    /// Lower-case names sorted, values trimmed with inner whitespace runs collapsed, repeated
    /// names joined with commas in their original order.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (canonical: String, signed: String) {
        var valuesByName: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            guard !unsignedHeaderNames.contains(name) else { continue }
            valuesByName[name, default: []].append(trimAll(header.value))
        }
        let names = valuesByName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonical = names.map { "\($0):\(valuesByName[$0]!.joined(separator: ","))" }.joined(separator: "\n")
        return (canonical, names.joined(separator: ";"))
    }

    /// Python's `' '.join(value.split())`, which botocore uses for SigV4's Trimall.
    static func trimAll(_ value: String) -> String {
        // Fast path for the usual header value: ASCII with no leading, trailing or repeated
        // whitespace is already trimmed (splitting by Character costs ~100k instructions a
        // request for the long session token).
        var previousWasSpace = true
        var clean = true
        for b in value.utf8 {
            if b >= 0x80 { clean = false; break }
            let space = b == 0x20 || (0x09...0x0d).contains(b) || (0x1c...0x1f).contains(b)
            if space && (previousWasSpace || b != 0x20) { clean = false; break }
            previousWasSpace = space
        }
        if clean && !previousWasSpace || value.isEmpty { return value }
        return value.split(whereSeparator: isPythonWhitespace).joined(separator: " ")
    }

    private static func isPythonWhitespace(_ c: Character) -> Bool {
        if c.isWhitespace { return true }
        guard c.unicodeScalars.count == 1, let v = c.unicodeScalars.first?.value else { return false }
        return (0x1c...0x1f).contains(v)
    }

    /// Replaces the first header of that name in place (dropping any others), or appends it.
    private static func set(_ name: String, _ value: String, in headers: inout [(name: String, value: String)]) {
        let lower = name.lowercased()
        guard let first = headers.firstIndex(where: { $0.name.lowercased() == lower }) else {
            headers.append((name, value))
            return
        }
        headers[first] = (headers[first].name, value)
        var index = headers.count - 1
        while index > first {
            if headers[index].name.lowercased() == lower { headers.remove(at: index) }
            index -= 1
        }
    }
}
