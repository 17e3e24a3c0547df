import Foundation
import HTTPTypes
import Hummingbird
import RunnerScaler

/// Refuses a source that is over its rate with 429 and `Retry-After`, before the body is read
/// or the signature computed. `/healthz` is exempt so probes from a load balancer never are.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let limiter: RateLimiter
    let trustForwardedFor: Bool
    let exemptPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !exemptPaths.contains(request.uri.path) else { return try await next(request, context) }
        let source = Self.source(request, context: context, trustForwardedFor: trustForwardedFor)
        guard let wait = await limiter.admit(source) else { return try await next(request, context) }
        let seconds = max(1, Int((Double(wait.milliseconds) / 1000).rounded(.up)))
        var response = WebhookServer.response(.json(status: 429, message: "rate limit exceeded for this source; retry after \(seconds) s"))
        response.headers[.retryAfter] = String(seconds)
        return response
    }

    /// The peer address, or with `trustForwardedFor` the last `X-Forwarded-For` entry: the one
    /// the (single, trusted) proxy appended, which a client cannot forge.
    static func source(_ request: Request, context: Context, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = request.headers[values: .xForwardedFor].last?
            .split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !forwarded.isEmpty {
            return forwarded
        }
        return context.peerAddress
    }
}

extension HTTPField.Name {
    static var xForwardedFor: Self { .init("X-Forwarded-For")! }
}
