import Foundation
@testable import RunnerScaler

/// In-memory `GitHubRunnerService`: runners per target, call counts, injectable failures.
final class InMemoryGitHub: GitHubRunnerService, HookDeliveryService, @unchecked Sendable {
    private let lock = NSLock()
    private var runners: [RunnerTarget: [GitHubRunner]] = [:]
    private var nextID: Int64 = 100
    private(set) var calls: [String] = []
    var failNext: (any Error)?
    var groups: [String: Int64] = ["linux fleet": 7]

    var deliveries: [HookDelivery] = []
    private(set) var redelivered: [Int64] = []

    func hookDeliveries(since: Date, deadline: Deadline) async throws -> [HookDelivery] {
        try enter("hook-deliveries")
        return lock.withLock { deliveries.filter { ($0.deliveredDate ?? .distantFuture) >= since } }
    }

    var payloads: [Int64: [UInt8]] = [:]
    var jobStatuses: [Int64: String] = [:]

    func hookDeliveryPayload(deliveryID: Int64, deadline: Deadline) async throws -> [UInt8]? {
        try enter("hook-delivery")
        return lock.withLock { payloads[deliveryID] }
    }

    func jobStatus(repository: String, jobID: Int64, installation: InstallationLookup, deadline: Deadline) async throws -> String? {
        try enter("job-status")
        return lock.withLock { jobStatuses[jobID] }
    }

    func redeliver(deliveryID: Int64, deadline: Deadline) async throws {
        try enter("redeliver")
        lock.withLock { redelivered.append(deliveryID) }
    }

    /// Marks a runner online/offline/busy, as a real runner connecting would.
    func set(_ name: String, in target: RunnerTarget, status: String, busy: Bool = false) {
        lock.withLock {
            guard let i = runners[target]?.firstIndex(where: { $0.name == name }) else { return }
            runners[target]![i].status = status
            runners[target]![i].busy = busy
        }
    }

    func remove(_ name: String, in target: RunnerTarget) { lock.withLock { runners[target]?.removeAll { $0.name == name } } }

    func seed(_ runner: GitHubRunner, in target: RunnerTarget) { lock.withLock { runners[target, default: []].append(runner) } }
    func all(_ target: RunnerTarget) -> [GitHubRunner] { lock.withLock { runners[target] ?? [] } }
    func count(_ call: String) -> Int { lock.withLock { calls.filter { $0 == call }.count } }

    private func enter(_ call: String) throws {
        try lock.withLock {
            calls.append(call)
            if let error = failNext { failNext = nil; throw error }
        }
    }

    func jitConfig(_ request: JITRequest, target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> JITConfig {
        try enter("jit")
        return lock.withLock {
            nextID += 1
            let runner = GitHubRunner(id: nextID, name: request.name, status: "offline", busy: false, labels: request.labels)
            runners[target, default: []].append(runner)
            return JITConfig(runner: runner, encodedConfig: Secret("JITCONFIG-\(request.name)-single-use"))
        }
    }

    func registrationToken(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> RegistrationToken {
        try enter("registration-token")
        return RegistrationToken(token: Secret("AREGTOKEN"), expiresAt: Date().addingTimeInterval(3600))
    }

    func removeToken(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> RegistrationToken {
        try enter("remove-token")
        return RegistrationToken(token: Secret("AREMTOKEN"), expiresAt: Date().addingTimeInterval(3600))
    }

    func listRunners(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> [GitHubRunner] {
        try enter("list-runners")
        return all(target)
    }

    func findRunner(named name: String, target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> GitHubRunner? {
        try enter("find-runner")
        return all(target).first { $0.name == name }
    }

    func deleteRunner(id: Int64, target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> Bool {
        try enter("delete-runner")
        return lock.withLock {
            let before = runners[target]?.count ?? 0
            runners[target]?.removeAll { $0.id == id }
            return (runners[target]?.count ?? 0) < before
        }
    }

    func runnerGroupID(named name: String?, target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> Int64 {
        guard let name else { return 1 }
        try enter("runner-group")
        guard let id = groups[name.lowercased()] else { throw GitHubError.runnerGroupNotFound(name: name, target: target.description) }
        return id
    }
}

/// In-memory `HostProvider`: hosts per pool, what each launch received, injectable failures.
final class InMemoryProvider: HostProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var hosts: [RunnerHost] = []
    private(set) var launched: [HostSpec] = []
    private(set) var calls: [String] = []
    private var nextID = 0
    var failLaunches = 0
    let kind: String
    var now: @Sendable () -> Date = { Date() }

    init(kind: String = "memory") { self.kind = kind }

    var live: [RunnerHost] { lock.withLock { hosts } }
    func count(_ call: String) -> Int { lock.withLock { calls.filter { $0 == call }.count } }
    func seed(_ host: RunnerHost) { lock.withLock { hosts.append(host) } }

    struct Boom: Error, CustomStringConvertible { var description: String { "injected launch failure" } }

    func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        try lock.withLock {
            calls.append("launch")
            if failLaunches > 0 { failLaunches -= 1; throw Boom() }
            launched.append(spec)
            nextID += 1
            let host = RunnerHost(id: "h-\(nextID)", runnerName: spec.runnerName, pool: spec.pool.name, jobID: spec.job?.id,
                                  state: .pending, launchedAt: now())
            hosts.append(host)
            return .launched(host)
        }
    }

    func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        lock.withLock {
            calls.append("terminate")
            hosts.removeAll { $0.id == host.id }
            return .terminated(host)
        }
    }

    func list(pool: PoolConfig) async throws -> [RunnerHost] {
        lock.withLock {
            calls.append("list")
            return hosts.filter { $0.pool == pool.name }
        }
    }
}
