#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CoreMetrics

/// swift-metrics backend for `serve`: keeps cumulative values and renders them in the
/// Prometheus text exposition format (version 0.0.4) for `GET /metrics`.
///
/// Counters become `counter`, gauges (`Gauge`, `Recorder(aggregate: false)`, `Meter`) become
/// `gauge`, and timers and aggregating recorders become `histogram` (timers in seconds).
/// Written here rather than taken from a Prometheus client package: the vocabulary is a
/// handful of counters and one timer, and this keeps the exporter in the NIO-free core where
/// it is tested alongside the EMF exporter.
///
/// Handlers are called synchronously from any thread, so the state sits behind a lock rather
/// than in an actor.
public final class PrometheusMetricsFactory: MetricsFactory, @unchecked Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Prometheus' own default buckets: a webhook is answered within GitHub's 10 s.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public let buckets: [Double]
    private let lock = Lock()
    private var families: [String: Family] = [:]

    enum Kind: String { case counter, gauge, histogram }

    struct Family {
        var kind: Kind
        var series: [[MetricKey.Dimension]: Value] = [:]
    }

    struct Value {
        var number: Double = 0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
        var sum: Double = 0
    }

    public init(buckets: [Double] = PrometheusMetricsFactory.defaultBuckets) {
        self.buckets = buckets.filter(\.isFinite).sorted()
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handler(label, dimensions, .counter, divisor: 1)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        handler(label, dimensions, aggregate ? .histogram : .gauge, divisor: 1)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handler(label, dimensions, .histogram, divisor: 1e9)
    }

    // Prometheus series are cumulative for the life of the process.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    private func handler(_ label: String, _ dimensions: [(String, String)], _ kind: Kind, divisor: Double) -> Handler {
        let key = MetricKey(label: Self.metricName(label), dimensions: dimensions.map { (Self.labelName($0.0), $0.1) })
        let accepted = lock.withLock { () -> Bool in
            var family = families[key.label] ?? Family(kind: kind)
            // One name, one type: a second registration under another type is not exported
            // rather than producing an exposition Prometheus would reject.
            guard family.kind == kind else { return false }
            if family.series[key.dimensions] == nil {
                family.series[key.dimensions] = Value(bucketCounts: kind == .histogram ? Array(repeating: 0, count: buckets.count) : [])
            }
            families[key.label] = family
            return true
        }
        return Handler(factory: accepted ? self : nil, key: key, divisor: divisor)
    }

    fileprivate func update(_ key: MetricKey, _ change: (inout Value, Kind) -> Void) {
        lock.withLock {
            guard var family = families[key.label], var value = family.series[key.dimensions] else { return }
            change(&value, family.kind)
            family.series[key.dimensions] = value
            families[key.label] = family
        }
    }

    fileprivate func observe(_ key: MetricKey, _ sample: Double) {
        guard sample.isFinite else { return }
        update(key) { value, kind in
            switch kind {
            case .counter: value.number += sample
            case .gauge: value.number = sample
            case .histogram:
                value.count += 1
                value.sum += sample
                for (index, bound) in buckets.enumerated() where sample <= bound { value.bucketCounts[index] += 1 }
            }
        }
    }

    // MARK: Exposition

    /// Every series, grouped by metric with one `# TYPE` line each, in a stable order.
    public func render() -> String {
        let snapshot = lock.withLock { families }
        var out = ""
        for name in snapshot.keys.sorted() {
            let family = snapshot[name]!
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for dimensions in family.series.keys.sorted(by: { $0.map(\.value).lexicographicallyPrecedes($1.map(\.value)) }) {
                let value = family.series[dimensions]!
                switch family.kind {
                case .counter, .gauge:
                    out += "\(name)\(Self.labels(dimensions)) \(Self.number(value.number))\n"
                case .histogram:
                    for (index, bound) in buckets.enumerated() {
                        out += "\(name)_bucket\(Self.labels(dimensions, le: Self.number(bound))) \(value.bucketCounts[index])\n"
                    }
                    out += "\(name)_bucket\(Self.labels(dimensions, le: "+Inf")) \(value.count)\n"
                    out += "\(name)_sum\(Self.labels(dimensions)) \(Self.number(value.sum))\n"
                    out += "\(name)_count\(Self.labels(dimensions)) \(value.count)\n"
                }
            }
        }
        return out
    }

    static func labels(_ dimensions: [MetricKey.Dimension], le: String? = nil) -> String {
        var parts = dimensions.map { "\($0.name)=\"\(escape($0.value))\"" }
        if let le { parts.append("le=\"\(le)\"") }
        return parts.isEmpty ? "" : "{" + parts.joined(separator: ",") + "}"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`; anything else becomes `_`.
    static func metricName(_ label: String) -> String { sanitize(label, allowColon: true) }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`; anything else becomes `_`.
    static func labelName(_ name: String) -> String { sanitize(name, allowColon: false) }

    private static func sanitize(_ text: String, allowColon: Bool) -> String {
        var out = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            let isLetter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || (allowColon && scalar == ":")
            let isDigit = ("0"..."9").contains(scalar)
            out.unicodeScalars.append(isLetter || (isDigit && index > 0) ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }

    /// Forwards every kind of update to the factory; `factory` is nil for a rejected series.
    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let factory: PrometheusMetricsFactory?
        let key: MetricKey
        /// Nanoseconds to seconds for timers; dividing keeps round values exact.
        let divisor: Double

        init(factory: PrometheusMetricsFactory?, key: MetricKey, divisor: Double) {
            self.factory = factory
            self.key = key
            self.divisor = divisor
        }

        func increment(by amount: Int64) { factory?.observe(key, Double(amount)) }
        func reset() { factory?.update(key) { value, _ in value.number = 0 } }
        func record(_ value: Int64) { factory?.observe(key, Double(value)) }
        func record(_ value: Double) { factory?.observe(key, value) }
        func recordNanoseconds(_ duration: Int64) { factory?.observe(key, Double(duration) / divisor) }
    }
}
