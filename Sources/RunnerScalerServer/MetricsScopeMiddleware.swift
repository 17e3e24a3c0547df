import Hummingbird
import Metrics

/// Binds the server's metrics factory to each request's task, so what the handler records
/// lands in this server's `/metrics` even where no global factory was bootstrapped (tests,
/// or two servers in one process).
struct MetricsScopeMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withMetricsFactory(factory) { try await next(request, context) }
    }
}
