import ArgumentParser
import Foundation
import Logging
import Metrics
import RunnerScaler

struct LambdaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda",
        abstract: "Run as an AWS Lambda custom runtime (the default when AWS_LAMBDA_RUNTIME_API is set).",
        discussion: """
            Serves Function URL, API Gateway (payload 1.0 and 2.0) and EventBridge scheduled events through
            the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, which Lambda sets. HTTP events are answered in
            their own response shape; scheduled events run the sweep. Secrets are resolved once, at cold
            start. A configuration problem is reported to Lambda as an init error (errorType
            RunnerScaler.ConfigError) and the process exits 78. Logs are JSON lines on stdout; metrics are
            CloudWatch Embedded Metric Format lines (namespace RunnerScaler), one per invocation.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Runtime API host:port (default: AWS_LAMBDA_RUNTIME_API).")
    var runtimeAPI: String?

    @Flag(name: .long, help: "Plan provider actions without performing them.")
    var dryRun = false

    func run() async throws {
        let env = common.environment()
        // A bad LOG_LEVEL must not stop the init error from being reported, so it is only
        // checked once the Runtime API client exists.
        let levelResult = Result { try common.level(env) }
        bootstrapLogging(level: (try? levelResult.get()) ?? .info, fileDescriptor: 1)
        let logger = Logger(label: "runner-scaler.lambda")

        guard let endpoint = runtimeAPI ?? env["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            throw ValidationError("no Runtime API address: Lambda sets AWS_LAMBDA_RUNTIME_API; outside Lambda pass --runtime-api HOST:PORT (e.g. the runtime interface emulator's)")
        }
        let client: LambdaRuntimeClient
        do { client = try LambdaRuntimeClient.direct(endpoint: endpoint) } catch { throw ValidationError("\(error)") }

        let metrics = EmbeddedMetricsFactory.standardOutput(namespace: "RunnerScaler")
        // Also global, for metrics recorded outside an invocation's task (the runtime binds it
        // to each invocation too).
        MetricsSystem.bootstrap(metrics)

        let runtime: (handler: WebhookHandler, sweep: @Sendable (Deadline) async throws -> String)
        do {
            _ = try levelResult.get()
            runtime = try await makeRuntime(environment: env, dryRun: dryRun, logger: logger)
        } catch {
            let type = error is ConfigError ? LambdaErrorReport.configError : LambdaErrorReport.startupError
            logger.critical("startup failed", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("runner-scaler: \(error)\n".utf8))
            do { try await client.initFailed(LambdaErrorReport(type: type, message: "\(error)")) } catch {
                logger.error("could not report the init error to the Runtime API", metadata: ["error": "\(error)"])
            }
            throw ExitCode(error is ConfigError ? 78 : 1)
        }

        let handler = runtime.handler
        logger.info("Lambda runtime ready", metadata: ["pools": "\(handler.scaler.config.pools.count)", "dry_run": "\(dryRun)"])
        do {
            try await LambdaRuntime(
                client: client,
                handle: { request, deadline in await handler.handle(request, deadline: deadline).response },
                sweep: runtime.sweep,
                logger: logger,
                metrics: metrics
            ).run()
        } catch {
            logger.critical("Runtime API failed; exiting so Lambda starts a fresh runtime", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
