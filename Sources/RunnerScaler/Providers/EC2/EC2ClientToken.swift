/// The `ClientToken` of a host's `RunInstances`: the same for every delivery of the same job
/// attempt, so on AWS a duplicated or retried launch returns the first instance instead of
/// starting another (for about a day, AWS's idempotency window). The fallback attempts of one
/// launch share it too: EC2 records a token only when a launch succeeds, and a concurrent
/// duplicate that races on another placement is refused with `IdempotentParameterMismatch`.
public enum EC2ClientToken {
    /// 64 lower-case hex characters (EC2's limit is 64 ASCII characters): SHA-256 of the
    /// managed-by value, pool, job ID and run attempt; without a job, of the runner name.
    public static func make(managedBy: String, pool: String, job: JobReference?, runnerName: String) -> String {
        let identity = job.map { "job\n\($0.id)\n\($0.runAttempt)" } ?? "runner\n\(runnerName)"
        return SHA256.hexHash(Array("runner-scaler/ec2\n\(managedBy)\n\(pool)\n\(identity)".utf8))
    }

    public static func make(for spec: HostSpec) -> String {
        make(managedBy: spec.managedBy, pool: spec.pool.name, job: spec.job, runnerName: spec.runnerName)
    }
}
