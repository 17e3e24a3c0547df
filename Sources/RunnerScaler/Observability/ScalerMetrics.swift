import CoreMetrics

/// Every metric the core emits, through swift-metrics. `serve` exports them as Prometheus
/// text; Lambda writes them as CloudWatch Embedded Metric Format lines.
public enum ScalerMetrics {
    public static let deliveriesName = "runner_scaler_deliveries_total"
    public static let signatureFailuresName = "runner_scaler_signature_failures_total"
    public static let launchesName = "runner_scaler_launches_total"
    public static let terminationsName = "runner_scaler_terminations_total"
    public static let sweepActionsName = "runner_scaler_sweep_actions_total"
    public static let handlerLatencyName = "runner_scaler_handler_duration_seconds"
    public static let rateLimitRemainingName = "runner_scaler_github_rate_limit_remaining"

    public static func delivery(event: String, action: String, outcome: String) {
        Counter(label: deliveriesName, dimensions: [("event", event), ("action", action), ("outcome", outcome)]).increment()
    }

    public static func signatureFailure(reason: String) {
        Counter(label: signatureFailuresName, dimensions: [("reason", reason)]).increment()
    }

    public static func launch(pool: String, provider: String, outcome: String) {
        Counter(label: launchesName, dimensions: [("pool", pool), ("provider", provider), ("outcome", outcome)]).increment()
    }

    public static func termination(pool: String, provider: String, outcome: String) {
        Counter(label: terminationsName, dimensions: [("pool", pool), ("provider", provider), ("outcome", outcome)]).increment()
    }

    public static func sweepAction(pool: String, action: String) {
        Counter(label: sweepActionsName, dimensions: [("pool", pool), ("action", action)]).increment()
    }

    public static func handlerLatency(_ duration: Duration, event: String) {
        Timer(label: handlerLatencyName, dimensions: [("event", event)]).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    public static func rateLimitRemaining(_ value: Int) {
        Gauge(label: rateLimitRemainingName).record(value)
    }
}
