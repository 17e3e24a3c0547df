#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wraps a provider so that concurrent `list(pool:)` and `find(runnerName:pool:)` calls for
/// one pool share provider calls: while one list of a pool is in flight, every caller that
/// arrives waits for it to end and is then served, together with all the others that arrived
/// meanwhile, by the next list. A burst of N concurrent deliveries costs about two lists per
/// list duration instead of N, and every caller still gets an answer from a list that began
/// after it asked, so the duplicate-delivery guard and the cap count are exactly as fresh as
/// without coalescing.
///
/// `find` becomes "the pool's list, filtered by runner name": one call, shared, instead of one
/// tag-filtered call per completed job. Used for the real providers only; dry runs keep the
/// stand-in hosts their own `find` returns.
public struct ListCoalescingProvider: HostProvider {
    public let base: any HostProvider
    private let batcher = PoolListBatcher()

    public init(_ base: any HostProvider) { self.base = base }

    public var kind: String { base.kind }

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome { try await base.launch(spec) }

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome { try await base.terminate(host) }

    public func list(pool: PoolConfig) async throws -> [RunnerHost] {
        let base = self.base
        return try await batcher.list(pool) { try await base.list(pool: $0) }
    }

    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        try await list(pool: pool).filter { $0.runnerName == runnerName }
    }

    /// Provider list calls made so far.
    public var listCalls: Int { get async { await batcher.calls } }

    /// Callers waiting for the next list of `pool`.
    func waiting(pool: String) async -> Int { await batcher.waiting(pool) }
}

/// The per-pool queue behind `ListCoalescingProvider`: at most one list per pool in flight,
/// and one batch of callers waiting for the next.
actor PoolListBatcher {
    typealias Waiter = CheckedContinuation<[RunnerHost], any Error>
    typealias Fetch = @Sendable (PoolConfig) async throws -> [RunnerHost]

    private var inFlight: Set<String> = []
    private var waiting: [String: (pool: PoolConfig, fetch: Fetch, waiters: [Waiter])] = [:]
    private(set) var calls = 0

    func waiting(_ name: String) -> Int { waiting[name]?.waiters.count ?? 0 }

    func list(_ pool: PoolConfig, fetch: @escaping Fetch) async throws -> [RunnerHost] {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            if waiting[pool.name] == nil {
                waiting[pool.name] = (pool, fetch, [waiter])
            } else {
                waiting[pool.name]!.waiters.append(waiter)
            }
            startNext(pool.name)
        }
    }

    /// Starts a list for the waiting batch of `name`, unless one is already running (its end
    /// starts the next).
    private func startNext(_ name: String) {
        guard !inFlight.contains(name), let batch = waiting.removeValue(forKey: name) else { return }
        inFlight.insert(name)
        calls += 1
        Task {
            let result: Result<[RunnerHost], any Error>
            do { result = .success(try await batch.fetch(batch.pool)) } catch { result = .failure(error) }
            self.finish(name, batch.waiters, result)
        }
    }

    private func finish(_ name: String, _ waiters: [Waiter], _ result: Result<[RunnerHost], any Error>) {
        for waiter in waiters { waiter.resume(with: result) }
        inFlight.remove(name)
        startNext(name)
    }
}
