#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One thing the sweeper will do, and why.
public enum SweepAction: Sendable, Equatable {
    case terminate(RunnerHost, reason: String)
    case deleteRunner(GitHubRunner, target: RunnerTarget, reason: String)
    case launchWarm(count: Int, reason: String)

    public var kind: String {
        switch self {
        case .terminate: "terminate"
        case .deleteRunner: "delete-runner"
        case .launchWarm: "launch-warm"
        }
    }

    public var reason: String {
        switch self {
        case let .terminate(_, reason), let .deleteRunner(_, _, reason), let .launchWarm(_, reason): reason
        }
    }
}

/// Reconciles one pool's hosts with GitHub's runners. Pure: snapshots and a clock reading
/// in, actions out.
public enum SweepPlanner {
    public struct Snapshot: Sendable {
        public var pool: PoolConfig
        public var prefix: String
        public var hosts: [RunnerHost]
        /// Runners of this pool (by name) with the target each was listed from.
        public var runners: [(runner: GitHubRunner, target: RunnerTarget)]
        public var now: Date

        public init(pool: PoolConfig, prefix: String, hosts: [RunnerHost], runners: [(runner: GitHubRunner, target: RunnerTarget)], now: Date) {
            self.pool = pool
            self.prefix = prefix
            self.hosts = hosts
            self.runners = runners
            self.now = now
        }
    }

    /// Warm runners are launched without a job; their names carry run attempt 0, which no
    /// real job has.
    public static func isWarm(_ runnerName: String) -> Bool { runnerName.hasSuffix("-0") }

    public static func plan(_ s: Snapshot) -> [SweepAction] {
        let pool = s.pool
        let runnersByName = Dictionary(s.runners.map { ($0.runner.name, $0.runner) }, uniquingKeysWith: { a, _ in a })
        var actions: [SweepAction] = []
        var kept: [RunnerHost] = []
        var warmIdleKept = 0
        // Newest first, so warm runners kept for minIdle are the youngest.
        for host in s.hosts.sorted(by: { ($0.launchedAt ?? .distantPast) > ($1.launchedAt ?? .distantPast) }) {
            let age = host.launchedAt.map { s.now.timeIntervalSince($0) }
            let runner = runnersByName[host.runnerName]
            let pastBoot = age.map { $0 > pool.bootTimeout.seconds } ?? false
            if let age, age > pool.maxLifetime.seconds {
                actions.append(.terminate(host, reason: "older than maxLifetime (\(Int(pool.maxLifetime.seconds))s)"))
            } else if runner == nil, pastBoot {
                actions.append(.terminate(host, reason: "no registered runner after bootTimeout (\(Int(pool.bootTimeout.seconds))s)"))
            } else if let runner, !runner.busy, !runner.isOnline, pastBoot {
                actions.append(.terminate(host, reason: "runner \(runner.name) is offline"))
            } else if let runner, !runner.busy, runner.isOnline, pastBoot,
                      !(isWarm(host.runnerName) && warmIdleKept < pool.minIdle) {
                actions.append(.terminate(host, reason: "runner \(runner.name) idle past bootTimeout: its job ran elsewhere or ended"))
            } else {
                if let runner, isWarm(host.runnerName), runner.isOnline, !runner.busy { warmIdleKept += 1 }
                kept.append(host)
            }
        }
        let hostNames = Set(s.hosts.map(\.runnerName))
        for (runner, target) in s.runners
        where !hostNames.contains(runner.name) && !runner.isOnline && !runner.busy
            && RunnerNaming.belongs(runner.name, toPool: pool.name, prefix: s.prefix) {
            actions.append(.deleteRunner(runner, target: target, reason: "runner \(runner.name) is offline and has no host"))
        }
        if pool.minIdle > 0 {
            let idle = kept.filter { host in
                guard let runner = runnersByName[host.runnerName] else { return true }  // still booting
                return !runner.busy
            }.count
            let room = pool.maxRunners - kept.count
            let missing = min(pool.minIdle - idle, room)
            if missing > 0 {
                actions.append(.launchWarm(count: missing, reason: "keep minIdle \(pool.minIdle) (idle now: \(idle))"))
            }
        }
        return actions
    }
}

/// Which failed webhook deliveries to ask GitHub to redeliver.
public enum RedeliveryPlanner {
    /// For each `workflow_job` delivery (grouped by guid) whose latest attempt failed, the id
    /// of that latest attempt: at most one redelivery per delivery per sweep.
    public static func plan(_ deliveries: [HookDelivery]) -> [HookDelivery] {
        var latest: [String: HookDelivery] = [:]
        for d in deliveries where d.event == "workflow_job" {
            if let current = latest[d.guid] {
                let newer = (d.deliveredDate ?? .distantPast, d.id) > (current.deliveredDate ?? .distantPast, current.id)
                if newer { latest[d.guid] = d }
            } else {
                latest[d.guid] = d
            }
        }
        return latest.values.filter { !$0.succeeded }.sorted { $0.id < $1.id }
    }
}
