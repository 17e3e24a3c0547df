import Foundation
import Logging
import Testing
@testable import RunnerScaler

/// A provider whose every list call reads the hosts it holds when the call starts, then
/// waits until the test opens it, and answers with that snapshot (or the injected failure).
private final class GatedListProvider: HostProvider, @unchecked Sendable {
    let kind = "gated"
    private let lock = NSLock()
    private var hosts: [RunnerHost] = []
    private var gates: [CheckedContinuation<Void, Never>] = []
    private var failures: [Bool] = []
    private(set) var started = 0

    struct Injected: Error {}

    func add(_ host: RunnerHost) { lock.withLock { hosts.append(host) } }
    var startedCount: Int { lock.withLock { started } }

    /// Lets the oldest waiting list call finish; `fail` makes it throw.
    func open(fail: Bool = false) -> Bool {
        let gate: CheckedContinuation<Void, Never>? = lock.withLock {
            guard !gates.isEmpty else { return nil }
            failures.append(fail)
            return gates.removeFirst()
        }
        gate?.resume()
        return gate != nil
    }

    /// Starts a host at once (no gate), as a launch by this process.
    func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        let host = RunnerHost(id: "h-\(spec.runnerName)", runnerName: spec.runnerName, pool: spec.pool.name)
        add(host)
        return .launched(host)
    }

    func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        lock.withLock { hosts.removeAll { $0.id == host.id } }
        return .terminated(host)
    }

    func list(pool: PoolConfig) async throws -> [RunnerHost] {
        let snapshot = lock.withLock { hosts.filter { $0.pool == pool.name } }
        return try await gated(snapshot)
    }

    /// Names asked of each multi-name find, in call order.
    private(set) var askedNames: [[String]] = []
    var asked: [[String]] { lock.withLock { askedNames } }

    func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost] {
        let snapshot = lock.withLock {
            askedNames.append(runnerNames)
            return hosts.filter { $0.pool == pool.name && runnerNames.contains($0.runnerName) }
        }
        return try await gated(snapshot)
    }

    private func gated(_ snapshot: [RunnerHost]) async throws -> [RunnerHost] {
        await withCheckedContinuation { gate in lock.withLock { started += 1; gates.append(gate) } }
        if lock.withLock({ failures.removeFirst() }) { throw Injected() }
        return snapshot
    }
}

@Suite("Coalesced pool lists")
struct ListCoalescingProviderTests {
    let pool = Fixtures.pool("a", labels: ["linux"])
    let other = Fixtures.pool("b", labels: ["linux"])

    /// Polls (at most 5 s) until `condition` holds.
    private func until(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<500 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    @Test("Callers arriving during a list share it, amended with this process's launches and terminations since it began")
    func sharersSeeOwnChanges() async throws {
        let base = GatedListProvider()
        let provider = ListCoalescingProvider(base)
        base.add(RunnerHost(id: "h1", runnerName: "r1", pool: "a"))
        base.add(RunnerHost(id: "hx", runnerName: "rx", pool: "a"))
        let pool = self.pool
        let first = Task { try await provider.list(pool: pool) }
        try await until("the first list is in flight") { base.startedCount == 1 }
        let sharers = (0..<10).map { _ in Task { try await provider.list(pool: pool) } }
        try await until("ten callers share it") { await provider.sharing(pool: "a") == 10 }
        // While the list runs: this process launches r3 and terminates h1; another process
        // (straight into the base) launches h2.
        guard case let .launched(r3) = try await provider.launch(HostSpec(runnerName: "r3", pool: pool, job: nil)) else {
            Issue.record("the launch did not launch")
            return
        }
        _ = try await provider.terminate(RunnerHost(id: "h1", runnerName: "r1", pool: "a"))
        base.add(RunnerHost(id: "h2", runnerName: "r2", pool: "a"))
        #expect(base.open())
        #expect(try await first.value.map(\.id) == ["h1", "hx"], "the starter gets the list as the provider answered")
        for task in sharers {
            #expect(try await task.value.map(\.id) == ["hx", r3.id], "own launch added, own termination removed")
        }
        #expect(base.startedCount == 1, "eleven callers, one provider list")

        // The changes were kept for that list only: the next list is the provider's answer.
        let next = Task { try await provider.list(pool: pool) }
        try await until("the next list is in flight") { base.startedCount == 2 }
        #expect(base.open())
        #expect(try await next.value.map(\.id) == ["hx", r3.id, "h2"])
        #expect(await provider.providerCalls == 2)
    }

    @Test("A failed list fails the callers sharing it; the next caller lists again")
    func failureIsPerBatch() async throws {
        let base = GatedListProvider()
        let provider = ListCoalescingProvider(base)
        let pool = self.pool
        let first = Task { try await provider.list(pool: pool) }
        try await until("the first list is in flight") { base.startedCount == 1 }
        let second = Task { try await provider.list(pool: pool) }
        try await until("one caller shares it") { await provider.sharing(pool: "a") == 1 }
        #expect(base.open(fail: true))
        await #expect(throws: GatedListProvider.Injected.self) { try await first.value }
        await #expect(throws: GatedListProvider.Injected.self) { try await second.value }
        let third = Task { try await provider.list(pool: pool) }
        try await until("a new list is in flight") { base.startedCount == 2 }
        #expect(base.open())
        #expect(try await third.value.isEmpty)
    }

    @Test("Pools are listed independently")
    func poolsDoNotWaitForEachOther() async throws {
        let base = GatedListProvider()
        let provider = ListCoalescingProvider(base)
        base.add(RunnerHost(id: "hb", runnerName: "rb", pool: "b"))
        let (pool, other) = (self.pool, self.other)
        let a = Task { try await provider.list(pool: pool) }
        let b = Task { try await provider.list(pool: other) }
        try await until("both pools list at once") { base.startedCount == 2 }
        #expect(base.open() && base.open())
        #expect(try await a.value.isEmpty)
        #expect(try await b.value.map(\.id) == ["hb"])
    }

    @Test("Finds arriving during a find share the next one, asked for all their names; each gets its own hosts")
    func findsBatchByName() async throws {
        let base = GatedListProvider()
        let provider = ListCoalescingProvider(base)
        base.add(RunnerHost(id: "h1", runnerName: "r1", pool: "a"))
        base.add(RunnerHost(id: "h2", runnerName: "r2", pool: "a"))
        let pool = self.pool
        let first = Task { try await provider.find(runnerName: "r1", pool: pool) }
        try await until("the first find is in flight") { base.startedCount == 1 }
        let names = ["r2", "r3", "r2", "r4"]
        let later = names.map { name in Task { try await provider.find(runnerName: name, pool: pool) } }
        try await until("four finds wait") { await provider.waitingFinds(pool: "a") == 4 }
        #expect(await provider.sharing(pool: "a") == 0, "finds do not queue behind lists")
        // Launched while the first find runs: the later callers must see it.
        base.add(RunnerHost(id: "h3", runnerName: "r3", pool: "a"))
        #expect(base.open())
        #expect(try await first.value.map(\.id) == ["h1"])
        try await until("the second find is in flight") { base.startedCount == 2 }
        #expect(base.open())
        var answers: [[String]] = []
        for task in later { answers.append(try await task.value.map(\.id)) }
        #expect(answers == [["h2"], ["h3"], ["h2"], []])
        #expect(base.asked.count == 2)
        #expect(base.asked.first == ["r1"])
        #expect(base.asked.last.map(Set.init) == ["r2", "r3", "r4"])
        #expect(base.asked.last?.count == 3, "each name asked once")
        #expect(await provider.providerCalls == 2)
        #expect(provider.kind == "gated")
    }

    @Test("A find does not wait for a list in flight, nor a list for a find")
    func findsAndListsAreIndependent() async throws {
        let base = GatedListProvider()
        let provider = ListCoalescingProvider(base)
        base.add(RunnerHost(id: "h1", runnerName: "r1", pool: "a"))
        let pool = self.pool
        let listed = Task { try await provider.list(pool: pool) }
        let found = Task { try await provider.find(runnerName: "r1", pool: pool) }
        try await until("a list and a find are in flight together") { base.startedCount == 2 }
        #expect(base.open() && base.open())
        #expect(try await listed.value.map(\.id) == ["h1"])
        #expect(try await found.value.map(\.id) == ["h1"])
    }

    @Test("A failed find fails every caller of its batch")
    func findFailure() async throws {
        let base = GatedListProvider()
        let provider = ListCoalescingProvider(base)
        let pool = self.pool
        base.add(RunnerHost(id: "h1", runnerName: "r1", pool: "a"))
        let first = Task { try await provider.find(runnerName: "r1", pool: pool) }
        try await until("the first find is in flight") { base.startedCount == 1 }
        let batch = ["r1", "r2"].map { name in Task { try await provider.find(runnerName: name, pool: pool) } }
        try await until("two finds wait") { await provider.waitingFinds(pool: "a") == 2 }
        #expect(base.open())
        #expect(try await first.value.map(\.id) == ["h1"])
        try await until("the second find is in flight") { base.startedCount == 2 }
        #expect(base.open(fail: true))
        for task in batch { await #expect(throws: GatedListProvider.Injected.self) { try await task.value } }
    }

    @Test("Real providers are wrapped at startup; the dry-run provider and dry runs are not")
    func wrappedOnlyForRealRuns() async throws {
        let ec2 = PoolConfig(name: "e", labels: ["linux"], provider: .ec2(EC2PoolSettings(region: "us-east-1", imageID: "ami-1")))
        let dry = PoolConfig(name: "d", labels: ["x"], provider: .dryRun)
        let config = ScalerConfig(pools: [ec2, dry])
        func context(dryRun: Bool) -> ProviderContext {
            ProviderContext(environment: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-only"],
                            http: CurlHTTPClient(), secrets: StandardSecretResolver(),
                            logger: .init(label: "t"), dryRun: dryRun, managedBy: "rs")
        }
        let real = try await ProviderSet.make(for: config, context: context(dryRun: false))
        #expect(real.provider(for: ec2) is ListCoalescingProvider)
        #expect(real.provider(for: dry) is DryRunProvider)
        let planned = try await ProviderSet.make(for: config, context: context(dryRun: true))
        #expect(planned.provider(for: ec2) is EC2Provider)
    }
}
