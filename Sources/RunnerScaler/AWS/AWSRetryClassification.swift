#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The retry verdicts for AWS answers, built on `AWSErrorDisposition`: throttling and 5xx
/// are retried with backoff by `RetryingHTTPClient`; everything else, capacity errors
/// included, goes back to the caller at once (another instance type is the cure for
/// `InsufficientInstanceCapacity`, not the same request again).
public enum AWSRetryClassification {
    /// For Query-protocol services (EC2, IAM): the code is in the XML error document.
    @Sendable public static func query(_ response: HTTPResponse, _ now: Date) -> RetryVerdict {
        guard !response.isSuccess else { return .done }
        return verdict(EC2Error.parse(httpStatus: response.status, body: response.body).disposition)
    }

    /// For awsJson1.1 services (SSM, Secrets Manager): the code is `__type`.
    @Sendable public static func json(_ response: HTTPResponse, _ now: Date) -> RetryVerdict {
        guard !response.isSuccess else { return .done }
        let error = AWSJSONError.parse(httpStatus: response.status, body: response.body,
                                       errorTypeHeader: response.headers["x-amzn-errortype"])
        return verdict(error.disposition)
    }

    static func verdict(_ disposition: AWSErrorDisposition) -> RetryVerdict {
        disposition == .retryWithBackoff ? .retry : .done
    }
}
