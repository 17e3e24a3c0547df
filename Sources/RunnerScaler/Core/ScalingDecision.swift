/// What one delivery asks of the scaler. Produced by the pure `Router`; carried out by the
/// `Scaler`.
public enum ScalingDecision: Sendable, Equatable {
    /// Start one host for `job` in `pool`.
    case launch(pool: String, job: JobReference)
    /// The job ran on `runnerName`; end that host.
    case terminate(pool: String, runnerName: String, job: JobReference)
    /// The job was cancelled before any runner took it; one idle host of the pool is surplus.
    case reapIdle(pool: String, job: JobReference)
    case ignore(reason: String)

    public var kind: String {
        switch self {
        case .launch: "launch"
        case .terminate: "terminate"
        case .reapIdle: "reap-idle"
        case .ignore: "ignore"
        }
    }

    public var pool: String? {
        switch self {
        case let .launch(pool, _), let .terminate(pool, _, _), let .reapIdle(pool, _): pool
        case .ignore: nil
        }
    }

    public var job: JobReference? {
        switch self {
        case let .launch(_, job), let .terminate(_, _, job), let .reapIdle(_, job): job
        case .ignore: nil
        }
    }

    /// A flat, JSON-friendly summary for logs and replay output.
    public var summary: [String: String] {
        var out = ["kind": kind]
        switch self {
        case let .launch(pool, job), let .reapIdle(pool, job):
            out["pool"] = pool
            out["job_id"] = String(job.id)
        case let .terminate(pool, runner, job):
            out["pool"] = pool
            out["runner_name"] = runner
            out["job_id"] = String(job.id)
        case let .ignore(reason):
            out["reason"] = reason
        }
        return out
    }
}
