/// Sends one HTTP request. One real implementation (libcurl); tests use local servers.
public protocol HTTPClient: Sendable {
    /// One attempt, bounded by `request.timeout` and `deadline`. Throws `HTTPClientError`
    /// when no HTTP response arrived; any status is returned as a response.
    func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse
}

public enum RunnerScalerVersion {
    public static let current = "0.1.0"
    public static let userAgent = "runner-scaler/\(current) (+https://github.com/runner-scaler/runner-scaler)"
}
