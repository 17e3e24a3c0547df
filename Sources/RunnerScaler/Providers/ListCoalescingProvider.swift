#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wraps a provider so that concurrent look-ups of one pool share provider calls. While one
/// call of a kind (a whole-pool `list`, or a runner-name `find`) is in flight for a pool, every
/// caller of that kind that arrives waits for it to end and is then served, together with all
/// the others that arrived meanwhile, by the next call. A burst of N concurrent deliveries
/// costs about two calls per call duration instead of N, and every caller still gets an
/// answer from a call that began after it asked, so the duplicate-delivery guard and the cap
/// count are exactly as fresh as without coalescing.
///
/// Waiting `find`s are answered by one `find(runnerNames:)` with all their names (for EC2, one
/// `DescribeInstances` whose response holds just those hosts), each caller getting the hosts
/// of its own name. Used for the real providers only; dry runs keep the stand-in hosts their
/// own `find` returns.
public struct ListCoalescingProvider: HostProvider {
    public let base: any HostProvider
    private let batcher = PoolCallBatcher()

    public init(_ base: any HostProvider) { self.base = base }

    public var kind: String { base.kind }

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome { try await base.launch(spec) }

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome { try await base.terminate(host) }

    public func list(pool: PoolConfig) async throws -> [RunnerHost] {
        let base = self.base
        return try await batcher.call(pool, name: nil) { pool, _ in try await base.list(pool: pool) }
    }

    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        let base = self.base
        return try await batcher.call(pool, name: runnerName) { pool, names in try await base.find(runnerNames: names, pool: pool) }
    }

    public func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost] {
        try await base.find(runnerNames: runnerNames, pool: pool)
    }

    /// Provider calls (lists and finds) made so far.
    public var providerCalls: Int { get async { await batcher.calls } }

    /// Callers waiting for the next whole-pool list of `pool`.
    func waiting(pool: String) async -> Int { await batcher.waiting(pool, finds: false) }

    /// Callers waiting for the next runner-name look-up in `pool`.
    func waitingFinds(pool: String) async -> Int { await batcher.waiting(pool, finds: true) }
}

/// The per-pool queues behind `ListCoalescingProvider`: for each pool and kind of call, at most
/// one call in flight and one batch of callers waiting for the next.
actor PoolCallBatcher {
    typealias Waiter = (name: String?, continuation: CheckedContinuation<[RunnerHost], any Error>)
    /// Makes the provider call for a batch: the pool, and the batch's distinct runner names
    /// (empty for a whole-pool list).
    typealias Fetch = @Sendable (PoolConfig, [String]) async throws -> [RunnerHost]

    /// A pool and whether its callers look up runner names (else they list the whole pool).
    struct Key: Hashable {
        var pool: String
        var finds: Bool
    }

    private struct Batch {
        var pool: PoolConfig
        var fetch: Fetch
        var waiters: [Waiter]
    }

    private var inFlight: Set<Key> = []
    private var waiting: [Key: Batch] = [:]
    private(set) var calls = 0

    func waiting(_ pool: String, finds: Bool) -> Int { waiting[Key(pool: pool, finds: finds)]?.waiters.count ?? 0 }

    /// The hosts of a provider call begun after this one was made: the whole pool when `name`
    /// is nil, else the hosts named `name`.
    func call(_ pool: PoolConfig, name: String?, fetch: @escaping Fetch) async throws -> [RunnerHost] {
        let key = Key(pool: pool.name, finds: name != nil)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[RunnerHost], any Error>) in
            let waiter: Waiter = (name, continuation)
            if waiting[key] == nil {
                waiting[key] = Batch(pool: pool, fetch: fetch, waiters: [waiter])
            } else {
                waiting[key]!.waiters.append(waiter)
            }
            startNext(key)
        }
    }

    /// Starts a call for the waiting batch of `key`, unless one is already running (its end
    /// starts the next).
    private func startNext(_ key: Key) {
        guard !inFlight.contains(key), let batch = waiting.removeValue(forKey: key) else { return }
        inFlight.insert(key)
        calls += 1
        var names: [String] = []
        var seen: Set<String> = []
        for case let name? in batch.waiters.map(\.name) where seen.insert(name).inserted { names.append(name) }
        Task {
            let result: Result<[RunnerHost], any Error>
            do { result = .success(try await batch.fetch(batch.pool, names)) } catch { result = .failure(error) }
            self.finish(key, batch.waiters, result)
        }
    }

    private func finish(_ key: Key, _ waiters: [Waiter], _ result: Result<[RunnerHost], any Error>) {
        for waiter in waiters {
            guard let name = waiter.name else {
                waiter.continuation.resume(with: result)
                continue
            }
            waiter.continuation.resume(with: result.map { hosts in hosts.filter { $0.runnerName == name } })
        }
        inFlight.remove(key)
        startNext(key)
    }
}
