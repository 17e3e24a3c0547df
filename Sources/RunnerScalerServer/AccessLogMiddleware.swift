import HTTPTypes
import Hummingbird
import Logging
import RunnerScaler

/// One log line per request once it is answered: method, path, status, duration, peer, and
/// for deliveries the GitHub delivery id and event. Never a body, a query string or a header
/// value beyond those two, so no signature or token can reach the log. Health probes log at
/// debug so they do not drown the deliveries.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let quietPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context: context, status: status, started: started)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": "\(status)",
            "duration_ms": "\((ContinuousClock.now - started).milliseconds)",
            "peer": .string(context.peerAddress),
        ]
        if let delivery = request.headers[.gitHubDelivery] { metadata["delivery"] = .string(String(delivery.prefix(64))) }
        if let event = request.headers[.gitHubEvent] { metadata["event"] = .string(String(event.prefix(64))) }
        if let length = request.headers[.contentLength] { metadata["request_bytes"] = .string(String(length.prefix(20))) }
        let level: Logger.Level = quietPaths.contains(request.uri.path) && status < 400 ? .debug : .info
        // The request's logger carries Hummingbird's request id.
        context.logger.log(level: level, "request", metadata: metadata)
    }
}

extension HTTPField.Name {
    static var gitHubDelivery: Self { .init("X-GitHub-Delivery")! }
    static var gitHubEvent: Self { .init("X-GitHub-Event")! }
}
