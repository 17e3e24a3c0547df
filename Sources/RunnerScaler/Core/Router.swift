/// Routing: a decoded delivery plus the pool config gives one `ScalingDecision`.
/// Pure and total: every input has an answer, and nothing here reads a clock or the network.
public enum Router {
    public static func decide(_ delivery: Delivery, config: ScalerConfig) -> ScalingDecision {
        switch delivery {
        case .ping:
            return .ignore(reason: "ping acknowledged")
        case let .other(event, _):
            return .ignore(reason: "event \(event) is not handled")
        case let .workflowJob(event):
            return decide(event, config: config)
        }
    }

    public static func decide(_ event: WorkflowJobEvent, config: ScalerConfig) -> ScalingDecision {
        let job = JobReference(event)
        switch event.action {
        case .waiting, .inProgress:
            return .ignore(reason: "\(event.action) needs no action")
        case let .other(action):
            return .ignore(reason: "workflow_job action \(action) is not handled")
        case .queued, .completed:
            break
        }
        let pool: PoolConfig
        switch selectPool(for: job, in: config) {
        case let .failure(reason): return .ignore(reason: reason.message)
        case let .success(p): pool = p
        }
        if event.action == .queued {
            return .launch(pool: pool.name, job: job)
        }
        guard let runner = job.runnerName else {
            // GitHub sends `completed` with no runner when the job was cancelled or skipped
            // before any runner took it: the host launched for it is now surplus.
            return .reapIdle(pool: pool.name, job: job)
        }
        guard RunnerNaming.belongs(runner, toPool: pool.name, prefix: config.runnerNamePrefix) else {
            return .ignore(reason: "runner \(runner) was not launched by runner-scaler for pool \(pool.name)")
        }
        return .terminate(pool: pool.name, runnerName: runner, job: job)
    }

    public struct NoPool: Error, Equatable, Sendable { public var message: String }

    /// The first pool, in config order, that serves every one of the job's labels and whose
    /// allowlist admits the repository.
    public static func selectPool(for job: JobReference, in config: ScalerConfig) -> Result<PoolConfig, NoPool> {
        let labels = Set(job.labels.map { $0.lowercased() })
        let shown = job.labels.joined(separator: ", ")
        let selfHosted = labels.contains("self-hosted")
        var matchedButDenied: [String] = []
        for pool in config.pools {
            if !selfHosted && pool.requireSelfHostedLabel { continue }
            guard labels.isSubset(of: pool.labelSet) else { continue }
            guard pool.allows(repository: job.repository, owner: job.owner) else {
                matchedButDenied.append(pool.name)
                continue
            }
            return .success(pool)
        }
        if !matchedButDenied.isEmpty {
            return .failure(NoPool(message:
                "repository \(job.repository) is not in the allowlist of pool\(matchedButDenied.count > 1 ? "s" : "") \(matchedButDenied.joined(separator: ", "))"))
        }
        if !selfHosted && config.pools.allSatisfy(\.requireSelfHostedLabel) {
            return .failure(NoPool(message: "job labels [\(shown)] do not include self-hosted"))
        }
        return .failure(NoPool(message: "no pool serves all of the job labels [\(shown)]"))
    }
}
