import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import RunnerScaler
import ServiceLifecycle
import UnixSignals

/// `runner-scaler serve`: the webhook handler behind a Hummingbird HTTP server, with
/// `/healthz`, Prometheus `/metrics`, a body limit, a per-source rate limit, access logs and
/// graceful shutdown. It only adapts HTTP to `WebhookRequest` and back; the handler does the
/// rest, exactly as in Lambda.
public struct WebhookServer: Sendable {
    public typealias Handle = @Sendable (WebhookRequest, Deadline) async -> WebhookResponse

    public static let healthPath = "/healthz"
    public static let metricsPath = "/metrics"

    public let settings: ServerSettings
    public let metrics: PrometheusMetricsFactory
    private let handle: Handle
    private let logger: Logger
    private let limiter: RateLimiter?

    public init(settings: ServerSettings, metrics: PrometheusMetricsFactory, logger: Logger, handle: @escaping Handle) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.handle = handle
        self.limiter = settings.rateLimit.map { RateLimiter(rate: $0.requestsPerSecond, burst: $0.burst) }
    }

    /// The routes and middleware, without a socket: what router-level tests drive.
    public func makeRouter() -> Hummingbird.Router<ServerRequestContext> {
        let router = Hummingbird.Router(context: ServerRequestContext.self)
        // Outermost first: the access log sees every answer, including 429s.
        router.add(middleware: AccessLogMiddleware(quietPaths: [Self.healthPath, Self.metricsPath]))
        if let limiter {
            router.add(middleware: RateLimitMiddleware(limiter: limiter, trustForwardedFor: settings.trustForwardedFor,
                                                       exemptPaths: [Self.healthPath]))
        }
        router.add(middleware: MetricsScopeMiddleware(factory: metrics))

        let handle = self.handle
        let maxBodyBytes = settings.maxBodyBytes
        let deadline = settings.webhookDeadline
        router.post(RouterPath(settings.webhookPath)) { request, _ -> Response in
            // Refuse an announced oversize body before reading any of it.
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
                return Self.tooLarge(maxBodyBytes)
            }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
                return Self.tooLarge(maxBodyBytes)
            }
            let webhookRequest = WebhookRequest(headers: Self.headerFields(request.headers), body: Array(body.readableBytesView))
            return Self.response(await handle(webhookRequest, .after(deadline)))
        }
        router.get(RouterPath(Self.healthPath)) { _, _ -> Response in
            Self.response(.json(status: 200, message: "ok"))
        }
        let metrics = self.metrics
        router.get(RouterPath(Self.metricsPath)) { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: PrometheusMetricsFactory.contentType],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        return router
    }

    /// The application on `settings.host`/`port`, with TLS when configured. `services` run
    /// alongside it and shut down with it; `onServerRunning` receives the bound port (useful
    /// with port 0).
    public func makeApplication(
        services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ConfigError) -> some ApplicationProtocol {
        let server: HTTPServerBuilder
        if let files = settings.tls {
            let tls = try TLSConfigurationLoader.load(files)
            do { server = try .tls(.http1(), tlsConfiguration: tls) } catch {
                throw ConfigError([ConfigProblem("--tls-cert / --tls-key",
                    "cannot use \(files.certificatePath) with \(files.keyPath) (does the key belong to the certificate?): \(error)")])
            }
        } else {
            server = .http1()
        }
        return Application(
            router: makeRouter(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight deliveries finish
    /// and returns.
    public func run(periodicSweep: PeriodicSweep? = nil) async throws {
        let app = try makeApplication(services: periodicSweep.map { [$0] } ?? []) { [logger, settings] port in
            logger.info("listening", metadata: ["host": .string(settings.host), "port": "\(port)",
                                                "tls": "\(settings.tls != nil)", "webhook_path": .string(settings.webhookPath)])
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    // MARK: Adapting

    /// Header names as sent (the HMAC does not cover headers, but the handler reads them
    /// case-insensitively either way).
    static func headerFields(_ fields: HTTPFields) -> HeaderFields {
        var out = HeaderFields()
        for field in fields { out.append(field.name.rawName, field.value) }
        return out
    }

    static func response(_ response: WebhookResponse) -> Response {
        Response(status: HTTPResponse.Status(code: response.status),
                 headers: [.contentType: response.contentType],
                 body: .init(byteBuffer: ByteBuffer(string: response.body)))
    }

    static func tooLarge(_ limit: Int) -> Response {
        response(.json(status: 413, message: "request body is over the \(limit)-byte limit"))
    }
}
