import RunnerScaler

/// A token bucket: `burst` requests at once, refilled at `rate` per second. Pure: the caller
/// passes the time, so tests need no clock.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let capacity: Double
    public private(set) var tokens: Double
    public private(set) var updated: ContinuousClock.Instant

    public init(rate: Double, burst: Int, now: ContinuousClock.Instant) {
        precondition(rate > 0 && burst >= 1, "rate and burst must be positive")
        self.rate = rate
        self.capacity = Double(burst)
        self.tokens = Double(burst)
        self.updated = now
    }

    /// Takes one token. Returns nil when allowed, else how long until a token is available.
    public mutating func take(now: ContinuousClock.Instant) -> Duration? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .milliseconds(Int64(((1 - tokens) / rate * 1000).rounded(.up)))
    }

    /// Full again: indistinguishable from a new bucket, so it may be forgotten.
    public func isFull(now: ContinuousClock.Instant) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= capacity
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        guard now > updated else { return }
        tokens = min(capacity, tokens + (now - updated).seconds * rate)
        updated = now
    }
}
