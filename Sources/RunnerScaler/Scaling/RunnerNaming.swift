/// Runner names double as host names (EC2 tag, Metal hostname, libvirt domain), so one name
/// finds the host from GitHub's `runner_name` and the job from the host.
public enum RunnerNaming {
    /// `<prefix>-<pool>-<job id>-<run attempt>`: deterministic, so a duplicated delivery
    /// names the same host, and at most 63 characters, a DNS label.
    public static func runnerName(prefix: String, pool: String, job: JobReference) -> String {
        "\(prefix)-\(pool)-\(job.id)-\(job.runAttempt)"
    }

    public static func belongs(_ runnerName: String, toPool pool: String, prefix: String) -> Bool {
        runnerName.hasPrefix("\(prefix)-\(pool)-")
    }

    /// Characters allowed in prefixes and pool names: they end up in host names.
    public static func isValidComponent(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 24 && s.first != "-" && s.last != "-"
            && s.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }
}
