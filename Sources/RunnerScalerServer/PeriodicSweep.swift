import Logging
import Metrics
import RunnerScaler
import ServiceLifecycle

/// The sweep on a timer, for `serve` (Lambda gets it from an EventBridge schedule). It runs
/// once at start, which reconciles whatever happened while the server was down, then every
/// `interval`. A sweep in progress finishes on graceful shutdown; the wait does not.
public struct PeriodicSweep: Service {
    public typealias Sweep = @Sendable (Deadline) async throws -> String

    let interval: Duration
    let sweep: Sweep
    let logger: Logger
    let metrics: (any MetricsFactory)?

    public init(interval: Duration, sweep: @escaping Sweep, logger: Logger, metrics: (any MetricsFactory)? = nil) {
        self.interval = interval
        self.sweep = sweep
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweepOnce()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled: shutting down
            }
        }
    }

    func sweepOnce() async {
        // Never longer than an interval, so sweeps do not pile up.
        let deadline = Deadline.after(min(interval, .seconds(600)))
        do {
            let summary: String
            if let metrics {
                summary = try await withMetricsFactory(metrics) { try await sweep(deadline) }
            } else {
                summary = try await sweep(deadline)
            }
            logger.info("periodic sweep done", metadata: ["summary": .string(summary)])
        } catch {
            logger.error("sweep failed; next attempt in \(interval)", metadata: ["error": "\(error)"])
        }
    }
}
