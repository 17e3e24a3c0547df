#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wraps a provider so that concurrent look-ups of one pool share provider calls.
///
/// Whole-pool lists (the cap count and duplicate guard of a `queued`, the sweeper): a caller
/// that arrives while a list of its pool is in flight shares that list instead of starting
/// another. Since that list began before the caller asked, the caller's answer is amended
/// with what this process itself changed in the pool meanwhile: hosts it launched are added
/// (if the list does not hold them yet) and hosts it terminated are removed. What it can miss
/// is only what other processes changed during the list: the same race every list has between
/// its answer and the launch that follows. The caller that started the list gets it as is.
///
/// Runner-name finds (the host lookup of a `completed`): a caller that arrives while a find of
/// its pool is in flight waits for it to end and is then served, together with all the others
/// that arrived meanwhile, by the next find, asked for all their names at once (for EC2, one
/// `DescribeInstances` whose response holds just those hosts). Every find therefore began
/// after its callers asked.
///
/// A burst of N concurrent deliveries costs a few provider calls per call duration instead of
/// N. Used for the real providers only; dry runs keep the stand-in hosts their own `find`
/// returns.
public struct ListCoalescingProvider: HostProvider {
    public let base: any HostProvider
    private let batcher = PoolCallBatcher()

    public init(_ base: any HostProvider) { self.base = base }

    public var kind: String { base.kind }

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        let outcome = try await base.launch(spec)
        switch outcome {
        case let .launched(host), let .alreadyExists(host): await batcher.launched(host, pool: spec.pool.name)
        case .planned: break
        }
        return outcome
    }

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        let outcome = try await base.terminate(host)
        if case .terminated = outcome { await batcher.terminated(host) }
        return outcome
    }

    public func list(pool: PoolConfig) async throws -> [RunnerHost] {
        let base = self.base
        return try await batcher.list(pool) { try await base.list(pool: $0) }
    }

    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        let base = self.base
        return try await batcher.find(runnerName, pool: pool) { pool, names in try await base.find(runnerNames: names, pool: pool) }
    }

    public func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost] {
        try await base.find(runnerNames: runnerNames, pool: pool)
    }

    /// Provider calls (lists and finds) made so far.
    public var providerCalls: Int { get async { await batcher.calls } }

    /// Callers sharing the list of `pool` in flight, besides the one that started it.
    func sharing(pool: String) async -> Int { await batcher.sharing(pool) }

    /// Callers waiting for the next runner-name look-up in `pool`.
    func waitingFinds(pool: String) async -> Int { await batcher.waitingFinds(pool) }
}

/// The per-pool state behind `ListCoalescingProvider`: the list in flight with the callers
/// sharing it and this process's changes since it began, and the find in flight with the batch
/// of callers waiting for the next.
actor PoolCallBatcher {
    typealias Continuation = CheckedContinuation<[RunnerHost], any Error>
    typealias ListFetch = @Sendable (PoolConfig) async throws -> [RunnerHost]
    /// Makes one find for a batch: the pool and the batch's distinct runner names.
    typealias FindFetch = @Sendable (PoolConfig, [String]) async throws -> [RunnerHost]

    private struct SharedList {
        var sharers: [Continuation] = []
        /// Hosts this process launched (or found already launched) since the list began.
        var launched: [RunnerHost] = []
        /// IDs of hosts this process terminated since the list began.
        var terminated: Set<String> = []
    }

    private struct FindBatch {
        var pool: PoolConfig
        var fetch: FindFetch
        var waiters: [(name: String, continuation: Continuation)]
    }

    private var lists: [String: SharedList] = [:]
    private var findsInFlight: Set<String> = []
    private var findBatches: [String: FindBatch] = [:]
    private(set) var calls = 0

    func sharing(_ pool: String) -> Int { lists[pool]?.sharers.count ?? 0 }
    func waitingFinds(_ pool: String) -> Int { findBatches[pool]?.waiters.count ?? 0 }

    // MARK: lists

    func list(_ pool: PoolConfig, fetch: @escaping ListFetch) async throws -> [RunnerHost] {
        try await withCheckedThrowingContinuation { (continuation: Continuation) in
            if lists[pool.name] != nil {
                lists[pool.name]!.sharers.append(continuation)
                return
            }
            lists[pool.name] = SharedList()
            calls += 1
            Task {
                let result: Result<[RunnerHost], any Error>
                do { result = .success(try await fetch(pool)) } catch { result = .failure(error) }
                self.finishList(pool.name, starter: continuation, result)
            }
        }
    }

    func launched(_ host: RunnerHost, pool: String) {
        lists[pool]?.launched.append(host)
    }

    func terminated(_ host: RunnerHost) {
        lists[host.pool]?.terminated.insert(host.id)
    }

    private func finishList(_ pool: String, starter: Continuation, _ result: Result<[RunnerHost], any Error>) {
        guard let shared = lists.removeValue(forKey: pool) else { return }
        starter.resume(with: result)
        guard !shared.sharers.isEmpty else { return }
        let amended = result.map { Self.amend($0, with: shared) }
        for sharer in shared.sharers { sharer.resume(with: amended) }
    }

    /// The list plus the hosts launched since it began that it does not hold, minus the hosts
    /// terminated since.
    private static func amend(_ hosts: [RunnerHost], with changes: SharedList) -> [RunnerHost] {
        var result = hosts
        var names = Set(hosts.map(\.runnerName))
        for host in changes.launched where names.insert(host.runnerName).inserted { result.append(host) }
        if !changes.terminated.isEmpty { result.removeAll { changes.terminated.contains($0.id) } }
        return result
    }

    // MARK: finds

    /// The hosts named `name`, from a find begun after this call was made.
    func find(_ name: String, pool: PoolConfig, fetch: @escaping FindFetch) async throws -> [RunnerHost] {
        try await withCheckedThrowingContinuation { (continuation: Continuation) in
            findBatches[pool.name, default: FindBatch(pool: pool, fetch: fetch, waiters: [])].waiters.append((name, continuation))
            startNextFind(pool.name)
        }
    }

    /// Starts a find for the waiting batch of `pool`, unless one is already running (its end
    /// starts the next).
    private func startNextFind(_ pool: String) {
        guard !findsInFlight.contains(pool), let batch = findBatches.removeValue(forKey: pool) else { return }
        findsInFlight.insert(pool)
        calls += 1
        let names = batch.waiters.map(\.name).uniqued()
        Task {
            let result: Result<[RunnerHost], any Error>
            do { result = .success(try await batch.fetch(batch.pool, names)) } catch { result = .failure(error) }
            self.finishFind(pool, batch.waiters, result)
        }
    }

    private func finishFind(_ pool: String, _ waiters: [(name: String, continuation: Continuation)],
                            _ result: Result<[RunnerHost], any Error>) {
        for waiter in waiters {
            waiter.continuation.resume(with: result.map { hosts in hosts.filter { $0.runnerName == waiter.name } })
        }
        findsInFlight.remove(pool)
        startNextFind(pool)
    }
}
