import Foundation
import Testing
@testable import RunnerScaler

/// A clock tests move by hand.
final class AWSTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

/// Hands out numbered credentials valid for `lifetime` from the clock's now, or fails on demand.
final class CountingCredentialsSource: AWSCredentialsProviding, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let clock: AWSTestClock
    let lifetime: TimeInterval?
    var failing = false

    init(clock: AWSTestClock, lifetime: TimeInterval?) {
        self.clock = clock
        self.lifetime = lifetime
    }

    var fetches: Int { lock.withLock { count } }

    func credentials(deadline: Deadline) async throws -> SigV4Credentials {
        let n = lock.withLock { count += 1; return count }
        if lock.withLock({ failing }) { throw AWSCredentialsError.endpointFailed(source: "test", reason: "down") }
        return SigV4Credentials(accessKeyID: "ASIATEST\(n)", secretAccessKey: Secret("s\(n)"), sessionToken: Secret("t\(n)"),
                                expiration: lifetime.map { clock.now.addingTimeInterval($0) })
    }

    func fail(_ on: Bool) { lock.withLock { failing = on } }
}

extension AWSTests {
    @Suite("AWS credentials cache")
    struct AWSCredentialsCacheTests {
        let deadline = Deadline.after(.seconds(10))

        @Test("Temporary credentials are reused until five minutes before they expire, then fetched again")
        func refreshBeforeExpiry() async throws {
            let clock = AWSTestClock()
            let source = CountingCredentialsSource(clock: clock, lifetime: 3600)
            let cache = AWSCredentialsCache(source: source, now: clock.function)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIATEST1")
            clock.advance(3600 - 301)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIATEST1")
            clock.advance(2)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIATEST2")
            #expect(source.fetches == 2)
        }

        @Test("Long-term credentials are fetched once")
        func longTerm() async throws {
            let clock = AWSTestClock()
            let source = CountingCredentialsSource(clock: clock, lifetime: nil)
            let cache = AWSCredentialsCache(source: source, now: clock.function)
            for _ in 0..<3 {
                _ = try await cache.credentials(deadline: deadline)
                clock.advance(86_400)
            }
            #expect(source.fetches == 1)
        }

        @Test("Concurrent callers share one fetch")
        func concurrentCallersShare() async throws {
            let clock = AWSTestClock()
            let source = CountingCredentialsSource(clock: clock, lifetime: 3600)
            let cache = AWSCredentialsCache(source: source, now: clock.function)
            let keys = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await cache.credentials(deadline: deadline).accessKeyID } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(keys == ["ASIATEST1"])
            #expect(source.fetches == 1)
        }

        @Test("A failed early refresh falls back to credentials that have not expired yet")
        func failedRefreshKeepsValidCredentials() async throws {
            let clock = AWSTestClock()
            let source = CountingCredentialsSource(clock: clock, lifetime: 3600)
            let cache = AWSCredentialsCache(source: source, now: clock.function)
            _ = try await cache.credentials(deadline: deadline)
            source.fail(true)
            clock.advance(3600 - 60)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIATEST1")
            clock.advance(120)
            await #expect(throws: AWSCredentialsError.self) { try await cache.credentials(deadline: deadline) }
        }

        @Test("Instance-role credentials from IMDSv2 are refreshed through the chain before they expire")
        func imdsRefresh() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py", arguments: ["--expires-in", "3600"])
            let clock = AWSTestClock(Date())
            let chain = AWSCredentialsChain.standard(
                environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.baseURL], http: CurlHTTPClient())
            let cache = AWSCredentialsCache(source: chain, now: clock.function)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIAPEER1")
            clock.advance(30 * 60)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIAPEER1")
            clock.advance(26 * 60)
            #expect(try await cache.credentials(deadline: deadline).accessKeyID == "ASIAPEER2")
            #expect(try await peer.requests().filter { ($0["method"] as? String) == "PUT" }.count == 2)
        }
    }
}
