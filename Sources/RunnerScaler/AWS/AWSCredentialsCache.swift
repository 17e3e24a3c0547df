#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Holds the credentials a source returned and fetches new ones only when needed: long-term
/// keys never, temporary ones `refreshMargin` before their `Expiration`, so no request is
/// signed with credentials about to lapse. Concurrent callers share one fetch.
public actor AWSCredentialsCache: AWSCredentialsProviding {
    public let source: any AWSCredentialsProviding
    public let refreshMargin: Duration
    private let now: @Sendable () -> Date
    private var current: SigV4Credentials?
    private var inFlight: Task<SigV4Credentials, any Error>?
    /// How many times the source was asked; for tests and diagnostics.
    public private(set) var fetchCount = 0

    public init(source: any AWSCredentialsProviding, refreshMargin: Duration = .seconds(300),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// The standard chain behind a cache: what production code should use.
    public static func standard(environment: [String: String], http: any HTTPClient) -> AWSCredentialsCache {
        AWSCredentialsCache(source: AWSCredentialsChain.standard(environment: environment, http: http))
    }

    public func credentials(deadline: Deadline) async throws -> SigV4Credentials {
        if let current, isFresh(current) { return current }
        let task: Task<SigV4Credentials, any Error>
        if let inFlight {
            task = inFlight
        } else {
            fetchCount += 1
            let source = self.source
            task = Task { try await source.credentials(deadline: deadline) }
            inFlight = task
        }
        do {
            let fetched = try await task.value
            if inFlight == task { inFlight = nil }
            current = fetched
            return fetched
        } catch {
            if inFlight == task { inFlight = nil }
            // Inside the margin the old credentials still work; a failed early refresh
            // should not fail the request they can still sign.
            if let current, let expiration = current.expiration, now() < expiration { return current }
            throw error
        }
    }

    private func isFresh(_ credentials: SigV4Credentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return now() < expiration.addingTimeInterval(-refreshMargin.seconds)
    }
}
