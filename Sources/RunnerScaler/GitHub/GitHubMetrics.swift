import Metrics

/// GitHub-side metrics: the App's remaining rate-limit budget.
enum GitHubMetrics {
    static func rateLimitRemaining(_ value: Int) {
        Gauge(label: "runner_scaler_github_rate_limit_remaining").record(value)
    }
}
