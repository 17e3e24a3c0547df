/// One time series: a metric label plus its dimensions, with the dimensions in a fixed order
/// so that `Counter(label:dimensions:)` created afresh on every call (as `ScalerMetrics` does)
/// lands on the same series.
struct MetricKey: Hashable, Sendable {
    let label: String
    let dimensions: [Dimension]

    struct Dimension: Hashable, Sendable {
        let name: String
        let value: String
    }

    /// Orders series of one metric by their dimension values.
    var sortKey: String { dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{0}") }

    init(label: String, dimensions: [(String, String)]) {
        self.label = label
        // Last value wins for a repeated name, like a dictionary would.
        var byName: [String: String] = [:]
        for (name, value) in dimensions { byName[name] = value }
        self.dimensions = byName.keys.sorted().map { Dimension(name: $0, value: byName[$0]!) }
    }
}
