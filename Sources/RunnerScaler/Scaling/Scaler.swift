/// Carries out a `ScalingDecision` against the pool's `HostProvider`.
public struct Scaler: Sendable {
    public let config: ScalerConfig
    private let providers: @Sendable (PoolConfig) -> any HostProvider

    /// `providers` picks the provider for a pool (one per provider kind, usually).
    public init(config: ScalerConfig, providers: @escaping @Sendable (PoolConfig) -> any HostProvider) {
        self.config = config
        self.providers = providers
    }

    public func execute(_ decision: ScalingDecision, deadline: Deadline = .none) async throws(ScalerError) -> ScalerReport {
        switch decision {
        case let .ignore(reason):
            return ScalerReport(.nothingToDo, reason)
        case let .launch(poolName, job):
            let pool = try pool(poolName)
            let name = RunnerNaming.runnerName(prefix: config.runnerNamePrefix, pool: pool.name, job: job)
            let provider = providers(pool)
            let outcome: LaunchOutcome
            do { outcome = try await provider.launch(HostSpec(runnerName: name, pool: pool, job: job)) } catch {
                throw ScalerError("\(provider.kind) launch of \(name) failed: \(error)")
            }
            switch outcome {
            case let .launched(host): return ScalerReport(.launched, "launched \(host.id) as \(name)", hosts: [host.id])
            case let .alreadyExists(host):
                return ScalerReport(.alreadyRunning, "host \(host.id) already serves \(name)", hosts: [host.id])
            case let .planned(plan): return ScalerReport(.planned, plan)
            }
        case let .terminate(poolName, runnerName, _):
            let pool = try pool(poolName)
            let provider = providers(pool)
            do {
                let hosts = try await provider.find(runnerName: runnerName, pool: pool)
                guard !hosts.isEmpty else {
                    return ScalerReport(.nothingToDo, "no live host named \(runnerName) in pool \(pool.name)")
                }
                var plans: [String] = []
                var done: [String] = []
                for host in hosts {
                    switch try await provider.terminate(host) {
                    case let .terminated(h): done.append(h.id)
                    case let .planned(plan): plans.append(plan)
                    }
                }
                if !plans.isEmpty { return ScalerReport(.planned, plans.joined(separator: "; ")) }
                return ScalerReport(.terminated, "terminated \(done.joined(separator: ", ")) (\(runnerName))", hosts: done)
            } catch {
                throw ScalerError("\(provider.kind) termination of \(runnerName) failed: \(error)")
            }
        case let .reapIdle(poolName, job):
            let pool = try pool(poolName)
            let provider = providers(pool)
            if provider.kind == "dry-run" {
                return ScalerReport(.planned, "would terminate the newest idle host of pool \(pool.name) (job \(job.id) was cancelled before pick-up)")
            }
            return ScalerReport(.deferred, "idle host of pool \(pool.name) is left to the sweeper")
        }
    }

    private func pool(_ name: String) throws(ScalerError) -> PoolConfig {
        guard let pool = config.pool(named: name) else { throw ScalerError(status: 500, "unknown pool \(name)") }
        return pool
    }
}
