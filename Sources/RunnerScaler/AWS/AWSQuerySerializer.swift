/// The EC2 Query protocol body: `Action=…&Version=…&` and then the operation's parameters,
/// form-encoded exactly as botocore writes them (Python's `urlencode`: RFC 3986 unreserved
/// characters as is, a space as `+`, every other UTF-8 byte as `%XX`).
public enum AWSQuerySerializer {
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    public static func body(action: String, version: String, parameters: [(String, String)]) -> String {
        ([("Action", action), ("Version", version)] + parameters)
            .map { AWSPercentEncoding.formEncode($0.0) + "=" + AWSPercentEncoding.formEncode($0.1) }
            .joined(separator: "&")
    }

    /// A POST to `/` on `host` carrying the body, ready for `SigV4Signer`.
    public static func request(host: String, action: String, version: String,
                               parameters: [(String, String)]) -> AWSRequest {
        AWSRequest(method: "POST", host: host, path: "/",
                   headers: [("Content-Type", contentType)],
                   body: Array(body(action: action, version: version, parameters: parameters).utf8))
    }

    /// Query-protocol booleans.
    static func boolean(_ value: Bool) -> String { value ? "true" : "false" }
}
