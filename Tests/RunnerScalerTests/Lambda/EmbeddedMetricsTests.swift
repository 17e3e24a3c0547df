import Foundation
import Metrics
import Testing
@testable import RunnerScaler

/// CloudWatch Embedded Metric Format output of the Lambda metrics backend.
@Suite("Embedded Metric Format lines")
struct EmbeddedMetricsTests {
    func factory() -> (EmbeddedMetricsFactory, LineSink) {
        let sink = LineSink()
        return (EmbeddedMetricsFactory(namespace: "RunnerScaler") { sink.append($0) }, sink)
    }

    func parse(_ line: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    func directives(_ object: [String: Any]) -> [[String: Any]] {
        ((object["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]]) ?? []
    }

    @Test("One invocation's counters, timers and gauges make one line with their dimensions")
    func oneLine() throws {
        let (metrics, sink) = factory()
        Counter(label: ScalerMetrics.deliveriesName, dimensions: [("event", "workflow_job"), ("outcome", "handled")], factory: metrics).increment()
        Counter(label: ScalerMetrics.deliveriesName, dimensions: [("outcome", "handled"), ("event", "workflow_job")], factory: metrics).increment()
        Timer(label: ScalerMetrics.handlerLatencyName, dimensions: [("event", "workflow_job")], factory: metrics).recordNanoseconds(2_500_000)
        Gauge(label: ScalerMetrics.rateLimitRemainingName, factory: metrics).record(4999)

        let lines = metrics.flush(now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(lines.count == 1)
        #expect(sink.lines == lines)
        let object = try parse(lines[0])
        #expect(object[ScalerMetrics.deliveriesName] as? Double == 2)
        #expect(object[ScalerMetrics.handlerLatencyName] as? Double == 2.5)
        #expect(object[ScalerMetrics.rateLimitRemainingName] as? Double == 4999)
        #expect(object["event"] as? String == "workflow_job")
        #expect(object["outcome"] as? String == "handled")
        #expect((object["_aws"] as? [String: Any])?["Timestamp"] as? Int == 1_800_000_000_000)

        let all = directives(object)
        #expect(all.allSatisfy { $0["Namespace"] as? String == "RunnerScaler" })
        let byMetric = Dictionary(uniqueKeysWithValues: all.flatMap { directive in
            (directive["Metrics"] as! [[String: String]]).map { ($0["Name"]!, (directive["Dimensions"] as! [[String]], $0["Unit"]!)) }
        })
        #expect(byMetric[ScalerMetrics.deliveriesName]?.0 == [["event", "outcome"]])
        #expect(byMetric[ScalerMetrics.deliveriesName]?.1 == "Count")
        #expect(byMetric[ScalerMetrics.handlerLatencyName]?.1 == "Milliseconds")
        #expect(byMetric[ScalerMetrics.rateLimitRemainingName]?.0 == [[]])
    }

    @Test("Two series of one metric that differ in a dimension value go to separate lines")
    func conflictingDimensions() throws {
        let (metrics, _) = factory()
        Counter(label: ScalerMetrics.launchesName, dimensions: [("pool", "linux"), ("provider", "ec2")], factory: metrics).increment()
        Counter(label: ScalerMetrics.launchesName, dimensions: [("pool", "arm"), ("provider", "ec2")], factory: metrics).increment()
        let lines = metrics.flush()
        #expect(lines.count == 2)
        let pools = try Set(lines.map { try parse($0)["pool"] as? String })
        #expect(pools == ["linux", "arm"])
    }

    @Test("A flush forgets what it wrote, and writes nothing when nothing was recorded")
    func flushResets() {
        let (metrics, sink) = factory()
        #expect(metrics.flush().isEmpty)
        Counter(label: "c", factory: metrics).increment()
        #expect(metrics.flush().count == 1)
        #expect(metrics.flush().isEmpty)
        #expect(sink.lines.count == 1)
    }

    @Test("More than 100 values of one metric are split, as EMF allows 100 per line")
    func valueLimit() throws {
        let (metrics, _) = factory()
        let timer = Timer(label: "t", factory: metrics)
        for _ in 0..<150 { timer.recordNanoseconds(1_000_000) }
        let lines = metrics.flush()
        #expect(lines.count == 2)
        let counts = try lines.map { (try parse($0)["t"] as? [Double])?.count ?? 1 }
        #expect(counts.sorted() == [50, 100])
    }
}
