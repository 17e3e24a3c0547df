/// The result of signing: the request to send (with `X-Amz-Date`, `Authorization` and, for
/// temporary credentials, `X-Amz-Security-Token`) and the intermediate SigV4 strings, which
/// are what the conformance suites compare.
public struct SignedRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The request as it must be sent.
    public var request: AWSRequest
    public var canonicalRequest: String
    public var stringToSign: String
    /// `20150830/us-east-1/service/aws4_request`.
    public var credentialScope: String
    /// `host;x-amz-date`: the lower-case names covered by the signature.
    public var signedHeaders: String
    /// Lower-case hex HMAC-SHA256 of `stringToSign`.
    public var signature: String
    /// The `Authorization` header's value.
    public var authorization: String

    /// The final headers, in order.
    public var headers: [(name: String, value: String)] { request.headers }

    // canonicalRequest holds the session token, so only the parts safe to log are shown.
    public var description: String {
        "SignedRequest(\(request.method) \(request.host)\(request.path), SignedHeaders=\(signedHeaders))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["request": request, "credentialScope": credentialScope,
                                "signedHeaders": signedHeaders, "signature": signature])
    }
}
