#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// The safety net for every lost, late, duplicated or reordered event: per pool, list the
/// hosts and GitHub's runners, plan with `SweepPlanner`, carry the plan out (or print it),
/// then ask GitHub to redeliver recent `workflow_job` deliveries that failed.
public struct Sweeper: Sendable {
    public struct Report: Sendable, CustomStringConvertible {
        public var lines: [String] = []
        public var terminated = 0
        public var runnersDeleted = 0
        public var warmLaunched = 0
        public var redelivered = 0
        public var errors: [String] = []

        public var description: String {
            "terminated \(terminated), runners deleted \(runnersDeleted), warm launched \(warmLaunched), redelivered \(redelivered)"
                + (errors.isEmpty ? "" : ", errors \(errors.count)")
        }
    }

    public static let defaultLookBack: Duration = .seconds(3600)

    let scaler: Scaler
    let github: (any GitHubRunnerService)?
    let deliveries: (any HookDeliveryService)?
    let lookBack: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(scaler: Scaler, github: (any GitHubRunnerService)?, deliveries: (any HookDeliveryService)?,
                lookBack: Duration = Sweeper.defaultLookBack, now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "runner-scaler.sweeper")) {
        self.scaler = scaler
        self.github = github
        self.deliveries = deliveries
        self.lookBack = lookBack
        self.now = now
        self.logger = logger
    }

    /// `dryRun` prints the plan and changes nothing.
    public func sweep(dryRun: Bool = false, deadline: Deadline = .none) async -> Report {
        var report = Report()
        for pool in scaler.config.pools {
            do {
                let (actions, listedIn) = try await plan(pool, deadline: deadline)
                for action in actions {
                    let line = "\(pool.name): \(action.kind) \(subject(action)) — \(action.reason)"
                    report.lines.append((dryRun ? "would " : "") + line)
                    logger.info("sweep", metadata: ["pool": .string(pool.name), "action": .string(action.kind),
                                                    "reason": .string(action.reason), "dry_run": "\(dryRun)"])
                    guard !dryRun else { continue }
                    do {
                        try await perform(action, pool: pool, listedIn: listedIn, deadline: deadline, report: &report)
                        ScalerMetrics.sweepAction(pool: pool.name, action: action.kind)
                    } catch {
                        report.errors.append("\(line): \(error)")
                        logger.error("sweep action failed", metadata: ["pool": .string(pool.name), "error": .string("\(error)")])
                    }
                }
            } catch {
                report.errors.append("\(pool.name): \(error)")
                logger.error("sweep of pool failed", metadata: ["pool": .string(pool.name), "error": .string("\(error)")])
            }
        }
        if let deliveries {
            do {
                let failed = RedeliveryPlanner.plan(
                    try await deliveries.hookDeliveries(since: now().addingTimeInterval(-lookBack.seconds), deadline: deadline))
                for delivery in failed {
                    if let why = await stillNeeded(delivery, deliveries: deliveries, deadline: deadline) {
                        report.lines.append("skip redelivery of \(delivery.guid): \(why)")
                        continue
                    }
                    report.lines.append((dryRun ? "would " : "") + "redeliver \(delivery.guid) (\(delivery.event) \(delivery.action ?? ""), last status \(delivery.statusCode))")
                    guard !dryRun else { continue }
                    do {
                        try await deliveries.redeliver(deliveryID: delivery.id, deadline: deadline)
                        report.redelivered += 1
                        ScalerMetrics.sweepAction(pool: "-", action: "redeliver")
                    } catch {
                        report.errors.append("redeliver \(delivery.guid): \(error)")
                    }
                }
            } catch {
                report.errors.append("listing webhook deliveries: \(error)")
            }
        }
        logger.info("sweep finished", metadata: ["summary": .string(report.description)])
        return report
    }

    /// A failed `queued` whose job has since started or finished needs no host: redelivering
    /// it would launch one for nothing. Returns the reason to skip, or nil to redeliver. Any
    /// doubt (lookups failing, payload gone) means redeliver: a spare host is reaped later, a
    /// lost job is not.
    func stillNeeded(_ delivery: HookDelivery, deliveries: any HookDeliveryService, deadline: Deadline) async -> String? {
        guard delivery.action == "queued", let github,
              let payload = try? await deliveries.hookDeliveryPayload(deliveryID: delivery.id, deadline: deadline),
              let event = try? JSONDecoder().decode(WorkflowJobEvent.self, from: Data(payload))
        else { return nil }
        let job = JobReference(event)
        let installation: InstallationLookup = job.installationID.map { .id($0) }
            ?? .repository(owner: job.owner, name: String(job.repository.split(separator: "/").last ?? ""))
        guard let status = try? await github.jobStatus(repository: job.repository, jobID: job.id, installation: installation,
                                                       deadline: deadline),
              status == "in_progress" || status == "completed"
        else { return nil }
        return "job \(job.id) is \(status)"
    }

    /// Runners are listed before hosts, so a host launched right after its JIT registration is
    /// already visible when the registration is judged.
    func plan(_ pool: PoolConfig, deadline: Deadline) async throws -> ([SweepAction], [String: RunnerTarget]) {
        let provider = scaler.provider(for: pool)
        var runners: [(runner: GitHubRunner, target: RunnerTarget)] = []
        let preliminaryHosts = try await provider.list(pool: pool)
        if let github {
            for (target, installation) in targets(pool, hosts: preliminaryHosts) {
                for runner in try await github.listRunners(target: target, installation: installation, deadline: deadline)
                where RunnerNaming.belongs(runner.name, toPool: pool.name, prefix: scaler.config.runnerNamePrefix) {
                    runners.append((runner, target))
                }
            }
        }
        let hosts = github == nil ? preliminaryHosts : try await provider.list(pool: pool)
        guard github != nil else {
            // Without GitHub (dry runs) every runner is assumed busy: only the age limit is judged.
            let assumed = hosts.map { (runner: GitHubRunner(id: 0, name: $0.runnerName, status: "online", busy: true),
                                       target: RunnerTarget.organization("")) }
            return (SweepPlanner.plan(.init(pool: pool, prefix: scaler.config.runnerNamePrefix, hosts: hosts, runners: assumed, now: now())), [:])
        }
        let listedIn = Dictionary(runners.map { ($0.runner.name, $0.target) }, uniquingKeysWith: { a, _ in a })
        return (SweepPlanner.plan(.init(pool: pool, prefix: scaler.config.runnerNamePrefix, hosts: hosts, runners: runners, now: now())),
                listedIn)
    }

    /// Where the pool's runners can be: its allowlisted owners and repositories, plus the
    /// repositories its hosts were launched for.
    func targets(_ pool: PoolConfig, hosts: [RunnerHost]) -> [(RunnerTarget, InstallationLookup)] {
        var out: [(RunnerTarget, InstallationLookup)] = []
        var seen = Set<RunnerTarget>()
        func add(_ target: RunnerTarget) {
            guard seen.insert(target).inserted else { return }
            if case .enterprise = target, pool.installationID == nil { return }
            out.append((target, installation(pool, target)))
        }
        let repositories = pool.allowRepositories + hosts.compactMap(\.repository)
        switch pool.scope {
        case let .enterprise(slug): add(.enterprise(slug))
        case .organization:
            for owner in pool.allowOwners + repositories.map({ String($0.split(separator: "/").first ?? "") }) where !owner.isEmpty {
                add(.organization(owner))
            }
        case .repository:
            for repo in repositories {
                let parts = repo.split(separator: "/", maxSplits: 1)
                if parts.count == 2 { add(.repository(owner: String(parts[0]), name: String(parts[1]))) }
            }
        }
        return out
    }

    private func perform(_ action: SweepAction, pool: PoolConfig, listedIn: [String: RunnerTarget], deadline: Deadline,
                         report: inout Report) async throws {
        let provider = scaler.provider(for: pool)
        switch action {
        case let .terminate(host, _):
            // Re-check just before acting: a runner that took a job since the plan keeps its host.
            if let github, let target = listedIn[host.runnerName],
               let runner = try await github.findRunner(named: host.runnerName, target: target,
                                                        installation: installation(pool, target), deadline: deadline) {
                if runner.busy { return }
                _ = try await provider.terminate(host)
                _ = try await github.deleteRunner(id: runner.id, target: target, installation: installation(pool, target), deadline: deadline)
            } else {
                _ = try await provider.terminate(host)
            }
            report.terminated += 1
        case let .deleteRunner(runner, target, _):
            guard let github else { return }
            // The launch that follows a JIT registration may have landed since the plan.
            guard try await provider.find(runnerName: runner.name, pool: pool).isEmpty else { return }
            _ = try await github.deleteRunner(id: runner.id, target: target, installation: installation(pool, target), deadline: deadline)
            report.runnersDeleted += 1
        case let .launchWarm(count, _):
            guard let job = warmJob(pool) else {
                throw ScalerError(status: 500, "pool \(pool.name) sets minIdle but its scope has no single target (list exactly one owner or repository)")
            }
            for i in 0..<count {
                var warm = job
                warm.id = Int64(now().timeIntervalSince1970 * 1000) * 100 + Int64(i)
                _ = try await scaler.execute(.launch(pool: pool.name, job: warm), deadline: deadline)
                report.warmLaunched += 1
            }
        }
    }

    private func installation(_ pool: PoolConfig, _ target: RunnerTarget) -> InstallationLookup {
        if let id = pool.installationID { return .id(id) }
        switch target {
        case let .repository(owner, name): return .repository(owner: owner, name: name)
        case let .organization(org): return .organization(org)
        case .enterprise: return .id(0)  // never listed without installationId; see targets(_:hosts:)
        }
    }

    /// A stand-in job for warm runners: run attempt 0 marks them; the target is the pool's
    /// single allowlisted owner or repository.
    func warmJob(_ pool: PoolConfig) -> JobReference? {
        let repository: String
        switch pool.scope {
        case .repository:
            guard pool.allowRepositories.count == 1 else { return nil }
            repository = pool.allowRepositories[0]
        case .organization:
            guard pool.allowOwners.count == 1 else { return nil }
            repository = "\(pool.allowOwners[0])/-"
        case .enterprise:
            repository = (pool.allowOwners.first ?? "-") + "/-"
        }
        let owner = String(repository.split(separator: "/")[0])
        return JobReference(id: 0, runID: 0, runAttempt: 0, repository: repository, owner: owner, labels: pool.labels,
                            installationID: pool.installationID)
    }

    private func subject(_ action: SweepAction) -> String {
        switch action {
        case let .terminate(host, _): "\(host.runnerName) (\(host.id))"
        case let .deleteRunner(runner, target, _): "runner \(runner.name) (\(runner.id)) in \(target)"
        case let .launchWarm(count, _): "\(count) warm runner(s)"
        }
    }
}
