#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runs a request through the retry policy, within the caller's deadline.
public struct RetryingHTTPClient: Sendable {
    public let base: any HTTPClient
    public let policy: RetryPolicy
    public let sleeper: any RetrySleeper
    public let logger: Logger?

    public init(base: any HTTPClient, policy: RetryPolicy = .standard, sleeper: any RetrySleeper = SystemRetrySleeper(),
                logger: Logger? = nil) {
        self.base = base
        self.policy = policy
        self.sleeper = sleeper
        self.logger = logger
    }

    /// Returns the first response `classify` accepts as `.done`, or the last response once
    /// attempts or time run out. Throws `HTTPClientError` when the last attempt got no
    /// response, and `RateLimitedError` when a rate limit outlasts the deadline.
    public func send(
        _ request: HTTPRequest, deadline: Deadline,
        classify: @Sendable (HTTPResponse, Date) -> RetryVerdict = RetryVerdict.standard
    ) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let wait: Duration
            do {
                let response = try await base.send(request, deadline: deadline)
                switch classify(response, sleeper.now()) {
                case .done:
                    return response
                case .retry:
                    guard attempt < policy.maxAttempts else { return response }
                    wait = policy.backoff(afterAttempt: attempt, random: sleeper.random())
                    guard fits(wait, deadline) else { return response }
                case let .rateLimited(hint):
                    let delay = hint ?? policy.backoff(afterAttempt: attempt, random: sleeper.random())
                    guard attempt < policy.maxAttempts, fits(delay, deadline) else {
                        throw RateLimitedError(method: request.method, path: request.path, status: response.status,
                                               retryAfter: hint, remaining: max(.zero, deadline.remaining),
                                               message: response.serverMessage)
                    }
                    wait = delay
                }
                logger?.notice("retrying", metadata: [
                    "method": .string(request.method), "path": .string(request.path), "status": "\(response.status)",
                    "attempt": "\(attempt)", "wait_ms": "\(wait.milliseconds)",
                ])
            } catch let error as HTTPClientError {
                guard error.isTransient, attempt < policy.maxAttempts else { throw error }
                wait = policy.backoff(afterAttempt: attempt, random: sleeper.random())
                guard fits(wait, deadline) else { throw error }
                logger?.notice("retrying", metadata: [
                    "method": .string(request.method), "path": .string(request.path), "error": .string(error.kind.rawValue),
                    "attempt": "\(attempt)", "wait_ms": "\(wait.milliseconds)",
                ])
            }
            try await sleeper.sleep(for: wait)
        }
    }

    private func fits(_ wait: Duration, _ deadline: Deadline) -> Bool {
        wait + policy.minimumAttemptTime <= deadline.remaining
    }
}
