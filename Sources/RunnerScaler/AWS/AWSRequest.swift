/// One HTTP request to an AWS endpoint, before signing.
///
/// `path` is the path as it goes on the wire (already percent-encoded where it needs to be;
/// `/` for every Query and JSON API). Query items are raw values in the order they are
/// sent, and may repeat a name; `encodedQuery` writes them. Headers are ordered pairs and may
/// repeat a name too.
public struct AWSRequest: Sendable {
    public var method: String
    /// `host` or `host:port` (omit the port when it is the scheme's default).
    public var host: String
    public var path: String
    public var queryItems: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, host: String, path: String = "/",
                queryItems: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.host = host
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
    }

    /// The query string as sent (without `?`), each name and value RFC 3986-encoded.
    public var encodedQuery: String {
        queryItems.map { AWSPercentEncoding.uriEncode($0.name) + "=" + AWSPercentEncoding.uriEncode($0.value) }
            .joined(separator: "&")
    }

    /// Path and query, as in the HTTP request line.
    public var requestTarget: String {
        queryItems.isEmpty ? path : path + "?" + encodedQuery
    }

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

// A request may carry a session token header and, as user data, a runner's JIT config; its
// printed and dumped forms show neither.
extension AWSRequest: CustomStringConvertible, CustomReflectable {
    static let redactedHeaders: Set<String> = ["authorization", "x-amz-security-token"]

    public var description: String {
        let shown = headers.map { h in
            h.name + ": " + (Self.redactedHeaders.contains(h.name.lowercased()) ? "<redacted>" : h.value)
        }
        return "\(method) \(host)\(path) [\(shown.joined(separator: ", "))] (\(body.count)-byte body)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["method": method, "host": host, "path": path,
                                "headerNames": headers.map(\.name), "bodyBytes": body.count])
    }
}
