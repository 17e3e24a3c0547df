/// Checks GitHub's `X-Hub-Signature-256: sha256=<hex>` over the raw body bytes.
public struct SignatureVerifier: Sendable {
    /// GitHub caps webhook payloads at 25 MB; anything larger is refused before hashing.
    public static let defaultMaxBodyBytes = 25 * 1024 * 1024

    private let secret: Secret
    public let maxBodyBytes: Int

    public init(secret: Secret, maxBodyBytes: Int = SignatureVerifier.defaultMaxBodyBytes) {
        precondition(!secret.isEmpty, "an empty webhook secret must be rejected at startup")
        self.secret = secret
        self.maxBodyBytes = maxBodyBytes
    }

    public func verify(_ request: WebhookRequest) throws(WebhookRejection) {
        guard request.body.count <= maxBodyBytes else {
            throw .payloadTooLarge(size: request.body.count, limit: maxBodyBytes)
        }
        guard let header = request.headers["X-Hub-Signature-256"] else {
            throw request.headers.contains("X-Hub-Signature") ? .legacySignatureOnly : .missingSignature
        }
        let value = header.trimmingASCIIWhitespace()
        guard value.hasPrefix("sha256=") else {
            throw .malformedSignature(value.isEmpty ? "empty value" : "expected the sha256= prefix")
        }
        let hex = value.dropFirst("sha256=".count)
        guard hex.count == 64, let given = Hex.decode(hex) else {
            throw .malformedSignature("expected 64 hex digits after sha256=")
        }
        let expected = HMAC.sha256(key: secret.utf8Bytes, message: request.body)
        guard ConstantTime.equals(expected, given) else { throw .signatureMismatch }
    }

    /// The header value GitHub would send for `body`; used by fixtures and tests.
    public static func signatureHeader(body: some Collection<UInt8>, secret: Secret) -> String {
        "sha256=" + Hex.encode(HMAC.sha256(key: secret.utf8Bytes, message: body))
    }
}
