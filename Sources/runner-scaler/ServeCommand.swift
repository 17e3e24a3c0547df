import ArgumentParser
import Foundation
import Logging
import Metrics
import RunnerScaler
import RunnerScalerServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve webhooks over HTTP(S): POST /webhook, GET /healthz, GET /metrics (Prometheus).",
        discussion: """
            Every option also reads an environment variable; the option wins. Listens on 127.0.0.1:8080 by
            default, so nothing is exposed by accident: in a container pass --host 0.0.0.0. Terminate TLS in
            a reverse proxy, or pass --tls-cert and --tls-key (PEM). SIGTERM or SIGINT stops accepting
            connections, lets in-flight deliveries finish, then exits. The sweep runs at start and every
            --sweep-interval seconds. Logs are JSON lines on stdout (access logs carry no bodies and no
            signature or token values).
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Address to bind: 127.0.0.1 (default), 0.0.0.0 for all IPv4, :: for all (env RUNNER_SCALER_HOST).")
    var host: String?

    @Option(name: .long, help: "Port, 0 for any free one (default 8080; env RUNNER_SCALER_PORT).")
    var port: String?

    @Option(name: .long, help: "Path GitHub posts deliveries to (default /webhook; env RUNNER_SCALER_WEBHOOK_PATH).")
    var webhookPath: String?

    @Option(name: .long, help: "PEM certificate chain for HTTPS (with --tls-key; env RUNNER_SCALER_TLS_CERT).")
    var tlsCert: String?

    @Option(name: .long, help: "PEM private key for HTTPS (with --tls-cert; env RUNNER_SCALER_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .long, help: "Largest request body accepted; larger gets 413 (default 27262976 = 26 MiB; env RUNNER_SCALER_MAX_BODY_BYTES).")
    var maxBodyBytes: String?

    @Option(name: .long, help: "Requests per second per source address, 0 = no limit; over it gets 429 (default 20; env RUNNER_SCALER_RATE_LIMIT).")
    var rateLimit: String?

    @Option(name: .long, help: "Requests a source may send at once before the rate applies (default 200; env RUNNER_SCALER_RATE_LIMIT_BURST).")
    var rateLimitBurst: String?

    @Flag(name: .long, help: "Behind one reverse proxy: rate-limit by the last X-Forwarded-For address (env RUNNER_SCALER_TRUST_FORWARDED_FOR=true).")
    var trustForwardedFor = false

    @Option(name: .long, help: "Seconds between sweeps, 0 = never (default 300; env RUNNER_SCALER_SWEEP_INTERVAL).")
    var sweepInterval: String?

    @Flag(name: .long, help: "Plan provider actions without performing them.")
    var dryRun = false

    func run() async throws {
        var env = common.environment()
        bootstrapLogging(level: try common.level(env), fileDescriptor: 1)
        let logger = Logger(label: "runner-scaler.serve")

        // Flags go into the variables' names so one parser checks both.
        let flags: [(String, String?)] = [
            (ServerSettings.hostVariable, host), (ServerSettings.portVariable, port),
            (ServerSettings.webhookPathVariable, webhookPath), (ServerSettings.tlsCertificateVariable, tlsCert),
            (ServerSettings.tlsKeyVariable, tlsKey), (ServerSettings.maxBodyBytesVariable, maxBodyBytes),
            (ServerSettings.rateLimitVariable, rateLimit), (ServerSettings.rateLimitBurstVariable, rateLimitBurst),
            (ServerSettings.sweepIntervalVariable, sweepInterval),
            (ServerSettings.trustForwardedForVariable, trustForwardedFor ? "true" : nil),
        ]
        for case let (name, value?) in flags { env[name] = value }

        let settings: ServerSettings
        let runtime: (handler: WebhookHandler, sweep: @Sendable (Deadline) async throws -> String)
        do {
            settings = try ServerSettings(environment: env)
            runtime = try await makeRuntime(environment: env, dryRun: dryRun, logger: logger)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("runner-scaler: \(error)\n".utf8))
            throw ExitCode(78)
        }

        let metrics = PrometheusMetricsFactory()
        MetricsSystem.bootstrap(metrics)
        let handler = runtime.handler
        let server = WebhookServer(settings: settings, metrics: metrics, logger: logger) { request, deadline in
            await handler.handle(request, deadline: deadline).response
        }
        let sweep = settings.sweepInterval.map { PeriodicSweep(interval: $0, sweep: runtime.sweep, logger: logger, metrics: metrics) }
        do { try await server.run(periodicSweep: sweep) } catch let error as ConfigError {
            FileHandle.standardError.write(Data("runner-scaler: \(error)\n".utf8))
            throw ExitCode(78)
        }
        logger.info("stopped")
    }
}
