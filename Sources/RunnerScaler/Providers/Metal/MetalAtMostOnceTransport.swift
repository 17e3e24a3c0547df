/// Wraps the transport for `createDevice`: a network failure comes back as
/// `MetalAPIError.outcomeUnknown` instead of a transient `HTTPClientError`, so the retrying
/// client does not blindly send the POST again. The request may have created a device; the
/// provider looks the hostname up before another attempt.
struct MetalAtMostOnceTransport: HTTPClient {
    let base: any HTTPClient
    let summary: String

    func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse {
        do { return try await base.send(request, deadline: deadline) } catch let error as HTTPClientError {
            // Failures before anything was sent cannot have created a device; keep them as they are.
            guard error.isTransient else { throw error }
            throw MetalAPIError.outcomeUnknown(request: summary, detail: error.kind.rawValue)
        }
    }
}
