#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Installation tokens, cached per installation until 5 minutes before they expire, shared by
/// every request in the process (warm Lambda invocations, concurrent `serve` requests).
/// Concurrent requests for the same installation share one fetch.
public actor InstallationTokenCache {
    public struct Entry: Sendable {
        public var token: Secret
        public var expiresAt: Date

        public init(token: Secret, expiresAt: Date) {
            self.token = token
            self.expiresAt = expiresAt
        }
    }

    public static let refreshMargin: TimeInterval = 5 * 60

    private var entries: [Int64: Entry] = [:]
    private var inFlight: [Int64: Task<Entry, any Error>] = [:]
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }

    public func token(for installation: Int64, fetch: @escaping @Sendable () async throws -> Entry) async throws -> Secret {
        if let entry = entries[installation], entry.expiresAt.timeIntervalSince(now()) > Self.refreshMargin {
            return entry.token
        }
        if let task = inFlight[installation] { return try await task.value.token }
        let task = Task { try await fetch() }
        inFlight[installation] = task
        do {
            let entry = try await task.value
            entries[installation] = entry
            inFlight[installation] = nil
            return entry.token
        } catch {
            inFlight[installation] = nil
            throw error
        }
    }

    /// Drops a token GitHub rejected (revoked, or the clock was wrong).
    public func invalidate(_ installation: Int64) { entries[installation] = nil }
}
