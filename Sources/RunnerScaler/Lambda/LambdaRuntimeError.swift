/// A Runtime API exchange that did not go as the API promises.
public enum LambdaRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `/next` answered without `Lambda-Runtime-Aws-Request-Id`.
    case missingRequestID
    /// The Runtime API answered with a status the call does not accept.
    case unexpectedStatus(method: String, path: String, status: Int, message: String)
    /// `AWS_LAMBDA_RUNTIME_API` (or `--runtime-api`) is not a `host:port`.
    case invalidEndpoint(String)

    public var description: String {
        switch self {
        case .missingRequestID:
            "the Runtime API's /next answer has no Lambda-Runtime-Aws-Request-Id header"
        case let .unexpectedStatus(method, path, status, message):
            "Runtime API \(method) \(path) returned \(status): \(message)"
        case let .invalidEndpoint(value):
            "Runtime API address \"\(value)\" is not host:port; Lambda sets AWS_LAMBDA_RUNTIME_API, or pass --runtime-api 127.0.0.1:9001"
        }
    }

    /// The Runtime API's 500 means "container error, non-recoverable: exit promptly"; other
    /// statuses refuse one request (a response too large, an unknown request id) and the
    /// runtime can go on with the next invocation.
    public var isFatal: Bool {
        switch self {
        case let .unexpectedStatus(_, _, status, _): status >= 500
        case .missingRequestID, .invalidEndpoint: true
        }
    }
}
