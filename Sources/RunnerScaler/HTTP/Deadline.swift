/// The instant by which a whole operation must be done (GitHub gives a webhook 10 s; Lambda
/// passes its own). Every outbound attempt is capped by what is left of it.
public struct Deadline: Sendable, Comparable {
    public let instant: ContinuousClock.Instant

    public init(_ instant: ContinuousClock.Instant) { self.instant = instant }

    public static func after(_ duration: Duration) -> Deadline { Deadline(.now + duration) }

    /// Far enough away to never matter (used by CLI commands with no outside deadline).
    public static var none: Deadline { after(.seconds(86_400 * 365)) }

    /// From Lambda's `Lambda-Runtime-Deadline-Ms` (Unix epoch milliseconds) and the current epoch time.
    public static func epochMilliseconds(_ deadline: Int64, nowEpochMilliseconds now: Int64) -> Deadline {
        after(.milliseconds(deadline - now))
    }

    public var remaining: Duration { instant - .now }
    public var hasPassed: Bool { remaining <= .zero }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.instant < b.instant }

    /// The sooner of this deadline and `duration` from now.
    public func capped(_ duration: Duration?) -> Duration {
        guard let duration else { return remaining }
        return min(duration, remaining)
    }
}

extension Duration {
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
