/// Runner names double as host names (EC2 tag, Metal hostname, libvirt domain), so one name
/// finds the host from GitHub's `runner_name` and the job from the host.
public enum RunnerNaming {
    /// `<prefix>-<pool>-<job id>-<run attempt>`: deterministic, so a duplicated delivery
    /// names the same host, and at most 63 characters, a DNS label.
    public static func runnerName(prefix: String, pool: String, job: JobReference) -> String {
        "\(prefix)-\(pool)-\(job.id)-\(job.runAttempt)"
    }

    /// True when `runnerName` is `<prefix>-<pool>-<digits>-<digits>`. The tail is checked,
    /// not just the start, because pool names may prefix each other (`linux`, `linux-x64`).
    public static func belongs(_ runnerName: String, toPool pool: String, prefix: String) -> Bool {
        let head = "\(prefix)-\(pool)-"
        guard runnerName.hasPrefix(head) else { return false }
        let tail = runnerName.dropFirst(head.count).split(separator: "-", omittingEmptySubsequences: false)
        return tail.count == 2 && tail.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    /// Characters allowed in prefixes and pool names: they end up in host names.
    public static func isValidComponent(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 24 && s.first != "-" && s.last != "-"
            && s.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
