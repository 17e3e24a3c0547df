/// Plans every action and performs none: no cloud call and no GitHub call. It has no hosts
/// to list, and it assumes the host a `completed` job names exists, so the plan shows what a
/// real provider would be asked to do.
public struct DryRunProvider: HostProvider {
    public var kind: String { "dry-run" }

    public init() {}

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        .planned("would launch host \(spec.runnerName) in pool \(spec.pool.name)"
            + (spec.job.map { " for job \($0.id) of \($0.repository)" } ?? ""))
    }

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        .planned("would terminate host \(host.runnerName) in pool \(host.pool)")
    }

    public func list(pool: PoolConfig) async throws -> [RunnerHost] { [] }

    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        [RunnerHost(id: "dry-run:\(runnerName)", runnerName: runnerName, pool: pool.name, state: .running)]
    }

    public func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost] {
        runnerNames.uniqued().map { RunnerHost(id: "dry-run:\($0)", runnerName: $0, pool: pool.name, state: .running) }
    }
}
