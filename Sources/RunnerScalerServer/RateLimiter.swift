/// One token bucket per source address, shared by every connection, hence an actor. The table
/// is bounded: full buckets are dropped first (they are the same as new ones), then the
/// longest-idle source, so a flood of addresses cannot grow memory without end.
public actor RateLimiter {
    public let rate: Double
    public let burst: Int
    public let maxSources: Int
    private var buckets: [String: TokenBucket] = [:]

    public init(rate: Double, burst: Int, maxSources: Int = 10_000) {
        self.rate = rate
        self.burst = burst
        self.maxSources = max(1, maxSources)
    }

    /// nil when the request may proceed, else how long the source should wait.
    public func admit(_ source: String, now: ContinuousClock.Instant = .now) -> Duration? {
        if buckets[source] == nil, buckets.count >= maxSources { evict(now: now) }
        var bucket = buckets[source] ?? TokenBucket(rate: rate, burst: burst, now: now)
        let wait = bucket.take(now: now)
        buckets[source] = bucket
        return wait
    }

    public var trackedSources: Int { buckets.count }

    private func evict(now: ContinuousClock.Instant) {
        buckets = buckets.filter { !$0.value.isFull(now: now) }
        if buckets.count >= maxSources, let idlest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            buckets.removeValue(forKey: idlest)
        }
    }
}
