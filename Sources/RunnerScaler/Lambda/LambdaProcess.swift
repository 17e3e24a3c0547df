#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import CoreMetrics

/// A whole `lambda`-mode process, from start to exit: JSON logs and EMF metrics on stdout, the
/// runtime built once from the environment (a configuration problem is reported to Lambda as
/// an init error), then the Runtime API loop. Shared by `runner-scaler lambda` and the slim
/// `runner-scaler-lambda` bootstrap, so the two cannot drift apart.
public enum LambdaProcess {
    /// Exit statuses: 0 never happens in Lambda (the loop only ends on a Runtime API failure).
    public static let usageError: Int32 = 64
    public static let configError: Int32 = 78
    public static let failure: Int32 = 1

    public struct Options: Sendable {
        /// `host:port` of the Runtime API; nil means `AWS_LAMBDA_RUNTIME_API`.
        public var runtimeAPI: String?
        public var dryRun: Bool
        /// nil means `LOG_LEVEL`, else info.
        public var logLevel: String?

        public init(runtimeAPI: String? = nil, dryRun: Bool = false, logLevel: String? = nil) {
            self.runtimeAPI = runtimeAPI
            self.dryRun = dryRun
            self.logLevel = logLevel
        }
    }

    /// The message for a missing Runtime API address.
    public static let noRuntimeAPI = "no Runtime API address: Lambda sets AWS_LAMBDA_RUNTIME_API; outside Lambda pass --runtime-api HOST:PORT (e.g. the runtime interface emulator's)"

    /// Runs until the Runtime API fails; returns the process exit status. Bootstraps the
    /// global logging and metrics systems, so call it once per process.
    public static func run(environment env: [String: String], options: Options) async -> Int32 {
        // A bad LOG_LEVEL must not stop the init error from being reported, so it is only
        // acted on once the Runtime API client exists.
        let rawLevel = options.logLevel ?? env["LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: rawLevel.lowercased())
        LoggingSystem.bootstrap { label in JSONLogHandler.standardOutput(label: label, level: level ?? .info, fileDescriptor: 1) }
        let logger = Logger(label: "runner-scaler.lambda")

        guard let endpoint = options.runtimeAPI ?? env["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            standardError(noRuntimeAPI)
            return usageError
        }
        let client: LambdaRuntimeClient
        do { client = try LambdaRuntimeClient.direct(endpoint: endpoint) } catch {
            standardError("\(error)")
            return usageError
        }

        let metrics = EmbeddedMetricsFactory.standardOutput(namespace: "RunnerScaler")
        // Also global, for metrics recorded outside an invocation's task (the runtime binds it
        // to each invocation too).
        MetricsSystem.bootstrap(metrics)

        let runtime: ScalerRuntime
        do {
            guard level != nil else {
                throw ConfigError([ConfigProblem(options.logLevel == nil ? "LOG_LEVEL" : "--log-level", "unknown log level \(rawLevel); use trace, debug, info, notice, warning, error or critical")])
            }
            runtime = try await ScalerRuntime.start(environment: env, dryRun: options.dryRun ? true : nil, logger: logger)
        } catch {
            let type = error is ConfigError ? LambdaErrorReport.configError : LambdaErrorReport.startupError
            logger.critical("startup failed", metadata: ["error": "\(error)"])
            standardError("\(error)")
            do { try await client.initFailed(LambdaErrorReport(type: type, message: "\(error)")) } catch {
                logger.error("could not report the init error to the Runtime API", metadata: ["error": "\(error)"])
            }
            return error is ConfigError ? configError : failure
        }

        let handler = runtime.handler
        let sweeper = runtime.sweeper
        let dry = runtime.dryRun
        logger.info("Lambda runtime ready", metadata: ["pools": "\(handler.scaler.config.pools.count)", "dry_run": "\(dry)"])
        do {
            try await LambdaRuntime(
                client: client,
                handle: { request, deadline in await handler.handle(request, deadline: deadline).response },
                sweep: { deadline in await sweeper.sweep(dryRun: dry, deadline: deadline).description },
                logger: logger,
                metrics: metrics
            ).run()
        } catch {
            logger.critical("Runtime API failed; exiting so Lambda starts a fresh runtime", metadata: ["error": "\(error)"])
        }
        return failure
    }

    private static func standardError(_ message: String) {
        LocalFile.writeToStandardError("runner-scaler: \(message)\n")
    }
}
