import CoreMetrics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// swift-metrics backend for Lambda: collects what one invocation records and writes it as
/// CloudWatch Embedded Metric Format (EMF) JSON lines, which CloudWatch Logs turns into
/// metrics with no API call and no agent. The runtime loop calls `flush()` after each
/// invocation, so every line carries exactly one invocation's counts.
///
/// Counters are summed, gauges keep their last value, and timers and histograms keep every
/// value (EMF takes up to 100 values per metric and CloudWatch builds the statistics).
/// Usually one line holds the whole invocation; a second line is only needed when two series
/// of one metric differ in a dimension value (say, launches in two pools during one sweep),
/// because a line carries a single value per dimension.
///
/// Handlers are called synchronously from any thread, so the state sits behind a lock rather
/// than in an actor.
public final class EmbeddedMetricsFactory: MetricsFactory, @unchecked Sendable {
    /// EMF's limit on the values of one metric in one line.
    public static let maxValuesPerMetric = 100

    public let namespace: String
    private let sink: @Sendable (String) -> Void
    private let lock = Lock()
    private var pending: [MetricKey: Pending] = [:]

    enum Kind { case counter, gauge, distribution }

    struct Pending {
        var kind: Kind
        var unit: String
        var values: [Double]
    }

    /// `sink` receives each finished line (without a newline); see `standardOutput`.
    public init(namespace: String = "RunnerScaler", sink: @escaping @Sendable (String) -> Void) {
        self.namespace = namespace
        self.sink = sink
    }

    /// Lines go to stdout, which Lambda ships to CloudWatch Logs, each with a single `write`
    /// so they never interleave with log lines.
    public static func standardOutput(namespace: String = "RunnerScaler", fileDescriptor: Int32 = 1) -> EmbeddedMetricsFactory {
        EmbeddedMetricsFactory(namespace: namespace) { line in
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            bytes.withUnsafeBytes { _ = write(fileDescriptor, $0.baseAddress, $0.count) }
        }
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(factory: self, key: MetricKey(label: label, dimensions: dimensions), kind: .counter, unit: "Count")
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(factory: self, key: MetricKey(label: label, dimensions: dimensions),
                kind: aggregate ? .distribution : .gauge, unit: "None")
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(factory: self, key: MetricKey(label: label, dimensions: dimensions), kind: .distribution, unit: "Milliseconds")
    }

    // Series live until the next flush whatever happens to their handlers.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func record(_ key: MetricKey, kind: Kind, unit: String, value: Double) {
        guard value.isFinite else { return }
        lock.withLock {
            var entry = pending[key] ?? Pending(kind: kind, unit: unit, values: [])
            switch kind {
            case .counter: entry.values = [(entry.values.first ?? 0) + value]
            case .gauge: entry.values = [value]
            case .distribution: entry.values.append(value)
            }
            pending[key] = entry
        }
    }

    fileprivate func reset(_ key: MetricKey) {
        lock.withLock { _ = pending.removeValue(forKey: key) }
    }

    // MARK: Flushing

    /// Writes what was recorded since the last flush to the sink and forgets it. Returns the
    /// lines written (none when nothing was recorded).
    @discardableResult
    public func flush(now: Date = Date()) -> [String] {
        let taken = lock.withLock {
            let taken = pending
            pending = [:]
            return taken
        }
        let lines = Self.render(taken, namespace: namespace, timestamp: Int64((now.timeIntervalSince1970 * 1000).rounded()))
        for line in lines { sink(line) }
        return lines
    }

    private struct Entry {
        var name: String
        var dimensions: [MetricKey.Dimension]
        var unit: String
        var values: [Double]
    }

    private struct Line {
        var dimensionValues: [String: String] = [:]
        var entries: [Entry] = []

        func accepts(_ entry: Entry) -> Bool {
            guard !entries.contains(where: { $0.name == entry.name }), dimensionValues[entry.name] == nil else { return false }
            return entry.dimensions.allSatisfy { dimension in
                let taken = dimensionValues[dimension.name]
                return (taken == nil || taken == dimension.value) && !entries.contains { $0.name == dimension.name }
            }
        }
    }

    static func render(_ pending: [MetricKey: Pending], namespace: String, timestamp: Int64) -> [String] {
        var entries: [Entry] = []
        for key in pending.keys.sorted(by: { ($0.label, $0.sortKey) < ($1.label, $1.sortKey) }) {
            let series = pending[key]!
            guard !series.values.isEmpty else { continue }
            var start = 0
            while start < series.values.count {
                let end = min(start + maxValuesPerMetric, series.values.count)
                entries.append(Entry(name: key.label, dimensions: key.dimensions, unit: series.unit,
                                     values: Array(series.values[start..<end])))
                start = end
            }
        }

        var lines: [Line] = []
        for entry in entries {
            if let index = lines.firstIndex(where: { $0.accepts(entry) }) {
                lines[index].entries.append(entry)
                for dimension in entry.dimensions { lines[index].dimensionValues[dimension.name] = dimension.value }
            } else {
                var line = Line()
                line.entries = [entry]
                for dimension in entry.dimensions { line.dimensionValues[dimension.name] = dimension.value }
                lines.append(line)
            }
        }

        return lines.compactMap { line in
            // One directive per distinct dimension-name set, so each metric is published with
            // exactly its own dimensions.
            var directives: [[String]: [[String: String]]] = [:]
            var object: [String: Any] = [:]
            for (name, value) in line.dimensionValues { object[name] = value }
            for entry in line.entries {
                directives[entry.dimensions.map(\.name), default: []].append(["Name": entry.name, "Unit": entry.unit])
                object[entry.name] = entry.values.count == 1 ? entry.values[0] as Any : entry.values as Any
            }
            let metrics: [[String: Any]] = directives.keys.sorted { $0.joined(separator: ",") < $1.joined(separator: ",") }
                .map { names in ["Namespace": namespace, "Dimensions": [names], "Metrics": directives[names]!] }
            object["_aws"] = ["Timestamp": timestamp, "CloudWatchMetrics": metrics] as [String: Any]
            guard let data = try? JSONText.data(object, escapingSlashes: false) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// One handler type for every kind: it only forwards to the factory's per-invocation state.
    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let factory: EmbeddedMetricsFactory
        let key: MetricKey
        let kind: Kind
        let unit: String

        init(factory: EmbeddedMetricsFactory, key: MetricKey, kind: Kind, unit: String) {
            self.factory = factory
            self.key = key
            self.kind = kind
            self.unit = unit
        }

        func increment(by amount: Int64) { factory.record(key, kind: kind, unit: unit, value: Double(amount)) }
        func reset() { factory.reset(key) }
        func record(_ value: Int64) { factory.record(key, kind: kind, unit: unit, value: Double(value)) }
        func record(_ value: Double) { factory.record(key, kind: kind, unit: unit, value: value) }
        func recordNanoseconds(_ duration: Int64) {
            factory.record(key, kind: kind, unit: unit, value: Double(duration) / 1_000_000)
        }
    }
}
