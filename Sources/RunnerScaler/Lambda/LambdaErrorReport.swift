#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The body of `POST /runtime/invocation/{id}/error` and `POST /runtime/init/error`:
/// Lambda's standard error document, sent as `application/vnd.aws.lambda.error+json` with the
/// type repeated in `Lambda-Runtime-Function-Error-Type` (Lambda falls back on the header when
/// it cannot read the body).
public struct LambdaErrorReport: Sendable, Equatable {
    public static let contentType = "application/vnd.aws.lambda.error+json"

    /// A short category such as `RunnerScaler.ConfigError`, shown as `errorType`.
    public var type: String
    /// What went wrong and what to fix, shown as `errorMessage`.
    public var message: String

    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }

    public static let configError = "RunnerScaler.ConfigError"
    public static let startupError = "RunnerScaler.StartupError"
    public static let invalidEvent = "RunnerScaler.InvalidEvent"
    public static let sweepFailed = "RunnerScaler.SweepFailed"
    public static let responseRejected = "RunnerScaler.ResponseRejected"

    public var body: [UInt8] {
        let object: [String: Any] = ["errorMessage": message, "errorType": type, "stackTrace": [String]()]
        return (try? JSONText.data(object, escapingSlashes: false)) ?? []
    }

    /// A header value must stay on one line and printable.
    public var headerValue: String {
        let cleaned = type.unicodeScalars.map { (0x21...0x7E).contains($0.value) ? Character($0) : "_" }
        return cleaned.isEmpty ? "Unknown" : String(cleaned)
    }
}
