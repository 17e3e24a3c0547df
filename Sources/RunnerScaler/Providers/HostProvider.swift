#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A machine that runs (or will run) exactly one runner. Its name is the runner's name.
public struct RunnerHost: Sendable, Equatable, Hashable {
    public enum State: String, Sendable { case pending, running, stopping, terminated }

    public var id: String
    public var runnerName: String
    public var pool: String
    public var jobID: Int64?
    public var state: State
    public var launchedAt: Date?
    /// `owner/name` of the job's repository, from the host's tags, when known.
    public var repository: String?

    public init(id: String, runnerName: String, pool: String, jobID: Int64? = nil,
                state: State = .pending, launchedAt: Date? = nil, repository: String? = nil) {
        self.id = id
        self.runnerName = runnerName
        self.pool = pool
        self.jobID = jobID
        self.state = state
        self.launchedAt = launchedAt
        self.repository = repository
    }
}

/// What a provider needs to start one host.
public struct HostSpec: Sendable, Equatable {
    public var runnerName: String
    public var pool: PoolConfig
    public var job: JobReference?
    /// The runner's boot script (cloud-init user data); carries a single-use JIT config.
    public var userData: Secret?
    /// Value of the managed-by tag: the config's runner-name prefix.
    public var managedBy: String

    public init(runnerName: String, pool: PoolConfig, job: JobReference?, userData: Secret? = nil,
                managedBy: String = ScalerConfig.defaultRunnerNamePrefix) {
        self.runnerName = runnerName
        self.pool = pool
        self.job = job
        self.userData = userData
        self.managedBy = managedBy
    }

    public var tags: [(key: String, value: String)] { HostTags.tags(for: self, prefix: managedBy) }
}

public enum LaunchOutcome: Sendable, Equatable {
    case launched(RunnerHost)
    /// A host for this runner name or job already exists; nothing new was started.
    case alreadyExists(RunnerHost)
    /// Dry run: the exact request that would have been sent.
    case planned(String)
}

public enum TerminateOutcome: Sendable, Equatable {
    case terminated(RunnerHost)
    case planned(String)
}

/// A backend that starts and stops runner hosts. Providers never talk to GitHub.
public protocol HostProvider: Sendable {
    /// `ec2`, `metal`, `libvirt` or `dry-run`.
    var kind: String { get }
    func launch(_ spec: HostSpec) async throws -> LaunchOutcome
    func terminate(_ host: RunnerHost) async throws -> TerminateOutcome
    /// Live hosts of the pool (pending or running), ours only.
    func list(pool: PoolConfig) async throws -> [RunnerHost]
    /// Live hosts of the pool whose runner name is `runnerName`.
    func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost]
    /// Live hosts of the pool whose runner name is any of `runnerNames`: one look-up for a
    /// batch of completed jobs.
    func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost]
}

extension HostProvider {
    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        try await list(pool: pool).filter { $0.runnerName == runnerName }
    }

    /// A provider without a multi-name look-up: its own `find` for one name, else the pool's
    /// list filtered.
    public func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost] {
        if runnerNames.count == 1 { return try await find(runnerName: runnerNames[0], pool: pool) }
        let wanted = Set(runnerNames)
        return try await list(pool: pool).filter { wanted.contains($0.runnerName) }
    }
}
