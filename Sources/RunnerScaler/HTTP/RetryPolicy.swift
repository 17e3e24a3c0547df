#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How many times and how long to wait between attempts. Shared by every client (GitHub,
/// EC2, Metal); each client supplies its own `classify` for what counts as transient.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A retry is not started unless at least this much of the deadline would be left after
    /// the wait: an attempt with no time to finish is wasted.
    public var minimumAttemptTime: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(4),
                minimumAttemptTime: Duration = .milliseconds(250)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.minimumAttemptTime = minimumAttemptTime
    }

    public static let standard = RetryPolicy()

    /// Capped exponential backoff with "equal jitter": half the step fixed, half random, so
    /// concurrent clients spread out but never retry instantly. `random` is in 0..<1.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let step = min(maxDelay, baseDelay * (1 << exponent))
        return step / 2 + (step / 2) * random
    }
}

/// What a response means for the retry loop.
public enum RetryVerdict: Sendable, Equatable {
    /// Hand the response to the caller (success, or an error not worth repeating).
    case done
    /// Transient (5xx, throttling): back off and try again.
    case retry
    /// Rate limited: wait this long if the deadline allows, else fail fast.
    case rateLimited(wait: Duration?)

    /// GitHub's and most REST APIs' rules: 5xx retries; 429, or 403 that says rate limit,
    /// waits for `Retry-After` or `x-ratelimit-reset`; other 4xx never retries.
    public static func standard(_ response: HTTPResponse, now: Date) -> RetryVerdict {
        switch response.status {
        case 500...599: return .retry
        case 429: return .rateLimited(wait: waitHint(response.headers, now: now))
        case 403 where isRateLimit403(response): return .rateLimited(wait: waitHint(response.headers, now: now))
        default: return .done
        }
    }

    static func isRateLimit403(_ response: HTTPResponse) -> Bool {
        if response.headers["x-ratelimit-remaining"] == "0" { return true }
        if response.headers["retry-after"] != nil { return true }
        return response.serverMessage.lowercased().contains("rate limit")
    }

    /// `Retry-After` (seconds or an HTTP date) wins; else `x-ratelimit-reset` (epoch seconds).
    public static func waitHint(_ headers: HeaderFields, now: Date) -> Duration? {
        if let retryAfter = headers["retry-after"]?.trimmingASCIIWhitespace() {
            if let seconds = Int(retryAfter) { return .seconds(max(0, seconds)) }
            if let date = UTCTimestamp.parseHTTPDate(String(retryAfter)) { return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000))) }
        }
        if let reset = headers["x-ratelimit-reset"].flatMap({ Double($0) }) {
            return .milliseconds(max(0, Int64((reset - now.timeIntervalSince1970) * 1000)))
        }
        return nil
    }

}

/// A rate limit whose reset lies beyond the caller's deadline: fail now, say when to retry.
public struct RateLimitedError: Error, Sendable, CustomStringConvertible, Equatable {
    public var method: String
    public var path: String
    public var status: Int
    public var retryAfter: Duration?
    public var remaining: Duration
    public var message: String

    public var description: String {
        let wait = retryAfter.map { "retry after \(Int($0.seconds.rounded(.up)))s" } ?? "no retry time given"
        return "\(method) \(path) is rate limited (\(status): \(message)); \(wait), which does not fit the \(Self.oneDecimal(remaining.seconds))s left"
    }

    /// `%.1f` without String(format:), which lives in the legacy Foundation module.
    static func oneDecimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let tenths = Int((abs(value) * 10).rounded())
        return (value < 0 && tenths > 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }
}

/// Waits between attempts. Tests substitute one that records instead of sleeping.
public protocol RetrySleeper: Sendable {
    func sleep(for duration: Duration) async throws
    func now() -> Date
    func random() -> Double
}

public struct SystemRetrySleeper: RetrySleeper {
    public init() {}
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
    public func now() -> Date { Date() }
    public func random() -> Double { Double.random(in: 0..<1) }
}
