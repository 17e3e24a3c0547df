/// The tags every provider puts on a host (EC2 tags, Metal tags, libvirt metadata), so the
/// host leads back to its pool, runner and job. The keys match the IAM conditions in
/// template.yaml.
public enum HostTags {
    public static let managedBy = "runner-scaler:managed-by"
    public static let pool = "runner-scaler:pool"
    public static let runnerName = "runner-scaler:runner-name"
    public static let jobID = "runner-scaler:job-id"
    public static let runID = "runner-scaler:run-id"
    public static let repository = "runner-scaler:repository"
    public static let name = "Name"

    /// In a fixed order; the managed-by value is the runner-name prefix.
    static func tags(for spec: HostSpec, prefix: String) -> [(key: String, value: String)] {
        var tags: [(key: String, value: String)] = [
            (managedBy, prefix), (pool, spec.pool.name), (runnerName, spec.runnerName), (name, spec.runnerName),
        ]
        if let job = spec.job {
            tags += [(jobID, String(job.id)), (runID, String(job.runID)), (repository, job.repository)]
        }
        return tags
    }
}
