#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which host a job cancelled before pick-up leaves surplus. Pure: hosts and GitHub's runner
/// list in, at most one host out.
public enum IdleSelection {
    /// A host is idle when its runner is registered and not busy, or when it has not
    /// registered yet and is older than the boot grace (younger ones may be about to take a
    /// job). The newest idle host is chosen: it has billed least and an older one may be
    /// about to pick up the next queued job.
    public static func newestIdle(hosts: [RunnerHost], runners: [GitHubRunner], now: Date, bootGrace: Duration) -> RunnerHost? {
        let byName = Dictionary(runners.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let idle = hosts.filter { host in
            if let runner = byName[host.runnerName] { return !runner.busy }
            guard let launched = host.launchedAt else { return false }
            return now.timeIntervalSince(launched) > bootGrace.seconds
        }
        return idle.max { ($0.launchedAt ?? .distantPast, $0.runnerName) < ($1.launchedAt ?? .distantPast, $1.runnerName) }
    }
}
