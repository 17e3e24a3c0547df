import Metrics
import RunnerScaler
import Testing

/// The Prometheus text exposition `serve` answers `/metrics` with.
@Suite("Prometheus text exposition")
struct PrometheusMetricsTests {
    @Test("Counters sum per series, with one TYPE line per metric and labels in name order")
    func counters() {
        let metrics = PrometheusMetricsFactory()
        Counter(label: "runner_scaler_deliveries_total", dimensions: [("outcome", "handled"), ("event", "workflow_job")], factory: metrics).increment()
        Counter(label: "runner_scaler_deliveries_total", dimensions: [("event", "workflow_job"), ("outcome", "handled")], factory: metrics).increment(by: 2)
        Counter(label: "runner_scaler_deliveries_total", dimensions: [("event", "ping"), ("outcome", "ignored")], factory: metrics).increment()
        #expect(metrics.render() == """
            # TYPE runner_scaler_deliveries_total counter
            runner_scaler_deliveries_total{event="ping",outcome="ignored"} 1
            runner_scaler_deliveries_total{event="workflow_job",outcome="handled"} 3

            """)
    }

    @Test("Timers are histograms in seconds with cumulative buckets, _sum and _count")
    func timers() {
        let metrics = PrometheusMetricsFactory(buckets: [0.1, 1])
        let timer = Timer(label: "latency_seconds", factory: metrics)
        timer.recordNanoseconds(250_000_000)
        timer.recordNanoseconds(500_000_000)
        timer.recordNanoseconds(4_000_000_000)
        #expect(metrics.render() == """
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 0
            latency_seconds_bucket{le="1"} 2
            latency_seconds_bucket{le="+Inf"} 3
            latency_seconds_sum 4.75
            latency_seconds_count 3

            """)
    }

    @Test("Gauges keep the last value")
    func gauges() {
        let metrics = PrometheusMetricsFactory()
        let gauge = Gauge(label: "runner_scaler_github_rate_limit_remaining", factory: metrics)
        gauge.record(5000)
        gauge.record(4999)
        #expect(metrics.render().contains("runner_scaler_github_rate_limit_remaining 4999\n"))
        #expect(metrics.render().contains("# TYPE runner_scaler_github_rate_limit_remaining gauge"))
    }

    @Test("Label values are escaped and names sanitised so the exposition always parses")
    func escaping() {
        let metrics = PrometheusMetricsFactory()
        Counter(label: "odd.name-total", dimensions: [("bad-label", "a\"b\\c\nd")], factory: metrics).increment()
        #expect(metrics.render().contains(#"odd_name_total{bad_label="a\"b\\c\nd"} 1"#))
    }

    @Test("A name registered under a second type is left out rather than exposed twice")
    func typeConflict() {
        let metrics = PrometheusMetricsFactory()
        Counter(label: "x", factory: metrics).increment()
        Gauge(label: "x", factory: metrics).record(7)
        #expect(metrics.render() == "# TYPE x counter\nx 1\n")
    }
}
