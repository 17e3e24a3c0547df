/// Why a delivery was refused before any scaling decision, with the HTTP status it earns.
public enum WebhookRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case payloadTooLarge(size: Int, limit: Int)
    case missingSignature
    case legacySignatureOnly
    case malformedSignature(String)
    case signatureMismatch
    case missingEventHeader
    case unsupportedContentType(String)
    case invalidBody(String)

    public var status: Int {
        switch self {
        case .payloadTooLarge: 413
        case .missingSignature, .legacySignatureOnly, .malformedSignature, .signatureMismatch: 401
        case .unsupportedContentType: 415
        case .missingEventHeader, .invalidBody: 400
        }
    }

    public var description: String {
        switch self {
        case let .payloadTooLarge(size, limit):
            "body is \(size) bytes, over the \(limit)-byte limit"
        case .missingSignature:
            "missing X-Hub-Signature-256 header"
        case .legacySignatureOnly:
            "only the legacy X-Hub-Signature (sha1) header was sent; X-Hub-Signature-256 is required"
        case let .malformedSignature(why):
            "malformed X-Hub-Signature-256 header: \(why)"
        case .signatureMismatch:
            "X-Hub-Signature-256 does not match the body"
        case .missingEventHeader:
            "missing X-GitHub-Event header"
        case let .unsupportedContentType(type):
            "unsupported Content-Type \(type); expected application/json or application/x-www-form-urlencoded"
        case let .invalidBody(why):
            why
        }
    }

    /// A short label for metrics.
    public var metricReason: String {
        switch self {
        case .payloadTooLarge: "too-large"
        case .missingSignature: "missing"
        case .legacySignatureOnly: "sha1-only"
        case .malformedSignature: "malformed"
        case .signatureMismatch: "mismatch"
        case .missingEventHeader: "missing-event"
        case .unsupportedContentType: "content-type"
        case .invalidBody: "invalid-body"
        }
    }
}
