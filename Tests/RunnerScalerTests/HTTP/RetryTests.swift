import Foundation
import Testing
@testable import RunnerScaler

/// Records the waits instead of sleeping; time stands still.
final class RecordingSleeper: RetrySleeper, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []
    let fixedNow: Date

    init(now: Date = Date()) { fixedNow = now }

    var waits: [Duration] { lock.withLock { recorded } }
    func sleep(for duration: Duration) async throws { lock.withLock { recorded.append(duration) } }
    func now() -> Date { fixedNow }
    func random() -> Double { 0.5 }
}

/// Plays back canned responses (or errors) and counts attempts.
final class ScriptedHTTPClient: HTTPClient, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<HTTPResponse, HTTPClientError>]
    private(set) var attempts = 0

    init(_ script: [Result<HTTPResponse, HTTPClientError>]) { self.script = script }

    func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse {
        try lock.withLock {
            attempts += 1
            return try (script.count > 1 ? script.removeFirst() : script[0]).get()
        }
    }
}

@Suite("The shared retry policy")
struct RetryTests {
    let request = HTTPRequest(method: "POST", url: "https://api.github.com/app/installations/1/access_tokens")

    func run(_ script: [Result<HTTPResponse, HTTPClientError>], deadline: Duration = .seconds(10),
             policy: RetryPolicy = .standard) async throws -> (HTTPResponse, ScriptedHTTPClient, RecordingSleeper) {
        let base = ScriptedHTTPClient(script)
        let sleeper = RecordingSleeper()
        let response = try await RetryingHTTPClient(base: base, policy: policy, sleeper: sleeper)
            .send(request, deadline: .after(deadline))
        return (response, base, sleeper)
    }

    @Test("5xx is retried with backoff until it succeeds")
    func serverErrors() async throws {
        let (response, base, sleeper) = try await run([.success(.init(status: 502)), .success(.init(status: 503)), .success(.init(status: 201))])
        #expect(response.status == 201)
        #expect(base.attempts == 3)
        #expect(sleeper.waits.count == 2)
        #expect(sleeper.waits[1] > sleeper.waits[0])
    }

    @Test("Network errors are retried")
    func networkErrors() async throws {
        let (response, base, _) = try await run([.failure(HTTPClientError(.connectionFailed, method: "POST", path: "/")),
                                                 .success(.init(status: 200))])
        #expect(response.status == 200)
        #expect(base.attempts == 2)
    }

    @Test("Retries stop at the attempt limit and return the last response")
    func attemptLimit() async throws {
        let (response, base, _) = try await run([.success(.init(status: 500))])
        #expect(response.status == 500)
        #expect(base.attempts == RetryPolicy.standard.maxAttempts)
    }

    @Test("Other 4xx are never retried", arguments: [400, 401, 403, 404, 409, 422])
    func clientErrors(status: Int) async throws {
        let (response, base, sleeper) = try await run([.success(.init(status: status, body: Array(#"{"message":"no"}"#.utf8)))])
        #expect(response.status == status)
        #expect(base.attempts == 1)
        #expect(sleeper.waits.isEmpty)
    }

    @Test("429 waits exactly Retry-After when it fits the deadline")
    func retryAfterFits() async throws {
        let (response, base, sleeper) = try await run([.success(.init(status: 429, headers: ["Retry-After": "2"])), .success(.init(status: 200))])
        #expect(response.status == 200)
        #expect(base.attempts == 2)
        #expect(sleeper.waits == [.seconds(2)])
    }

    @Test("429 whose Retry-After outlasts the deadline fails fast with a clear error")
    func retryAfterTooLong() async throws {
        do {
            _ = try await run([.success(.init(status: 429, headers: ["Retry-After": "30"]))], deadline: .seconds(5))
            Issue.record("did not fail")
        } catch let error as RateLimitedError {
            #expect(error.retryAfter == .seconds(30))
            #expect(error.description.contains("retry after 30s"))
        }
    }

    @Test("A 403 that says rate limit waits for x-ratelimit-reset")
    func primaryRateLimit() async throws {
        let now = Date()
        let base = ScriptedHTTPClient([
            .success(.init(status: 403, headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "\(Int(now.timeIntervalSince1970) + 3)"],
                           body: Array(#"{"message":"API rate limit exceeded for installation ID 1."}"#.utf8))),
            .success(.init(status: 200)),
        ])
        let sleeper = RecordingSleeper(now: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
        let response = try await RetryingHTTPClient(base: base, sleeper: sleeper).send(request, deadline: .after(.seconds(10)))
        #expect(response.status == 200)
        #expect(sleeper.waits == [.seconds(3)])
    }

    @Test("A secondary rate limit 403 with Retry-After beyond the deadline fails fast")
    func secondaryRateLimit() async throws {
        await #expect(throws: RateLimitedError.self) {
            _ = try await run([.success(.init(status: 403, headers: ["Retry-After": "60"],
                                              body: Array(#"{"message":"You have exceeded a secondary rate limit."}"#.utf8)))])
        }
    }

    @Test("A plain 403 (permissions) is not a rate limit")
    func plainForbidden() async throws {
        let (response, base, _) = try await run([.success(.init(status: 403, headers: ["x-ratelimit-remaining": "4999"],
                                                                body: Array(#"{"message":"Resource not accessible by integration"}"#.utf8)))])
        #expect(response.status == 403)
        #expect(base.attempts == 1)
    }

    @Test("No retry starts when the backoff would not leave time for the attempt")
    func deadlineBoundsRetries() async throws {
        let (response, base, _) = try await run([.success(.init(status: 503))], deadline: .milliseconds(100))
        #expect(response.status == 503)
        #expect(base.attempts == 1)
    }

    @Test("Backoff grows exponentially, is capped, and is jittered within [step/2, step]")
    func backoff() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.backoff(afterAttempt: 1, random: 0) == .milliseconds(50))
        #expect(policy.backoff(afterAttempt: 1, random: 0.999) < .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 3, random: 0) == .milliseconds(200))
        #expect(policy.backoff(afterAttempt: 30, random: 0.999) <= .seconds(1))
        #expect(policy.backoff(afterAttempt: 30, random: 0) == .milliseconds(500))
    }

    @Test("Retry-After may be an HTTP date")
    func httpDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = RetryVerdict.waitHint(["Retry-After": "Tue, 14 Nov 2023 22:13:25 GMT"], now: now)
        #expect(later == .seconds(5))
    }
}
