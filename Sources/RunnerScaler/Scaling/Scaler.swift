#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Carries out a `ScalingDecision`: GitHub for runner registrations, the pool's `HostProvider`
/// for hosts. With no GitHub client (dry runs) nothing is asked of GitHub.
public struct Scaler: Sendable {
    public let config: ScalerConfig
    private let providers: @Sendable (PoolConfig) -> any HostProvider
    private let github: (any GitHubRunnerService)?
    private let apiURL: String
    private let templates: [String: UserDataTemplate]
    private let now: @Sendable () -> Date
    private let logger: Logger

    /// `providers` picks the provider for a pool; `templates` maps pool names to user-data
    /// templates loaded at startup (pools not listed use the built-in one).
    public init(config: ScalerConfig, github: (any GitHubRunnerService)? = nil, apiURL: String = Settings.defaultAPIURL,
                templates: [String: UserDataTemplate] = [:], now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "runner-scaler.scaler"),
                providers: @escaping @Sendable (PoolConfig) -> any HostProvider) {
        self.config = config
        self.github = github
        self.apiURL = apiURL
        self.templates = templates
        self.now = now
        self.logger = logger
        self.providers = providers
    }

    public func provider(for pool: PoolConfig) -> any HostProvider { providers(pool) }

    public func execute(_ decision: ScalingDecision, deadline: Deadline = .none) async throws(ScalerError) -> ScalerReport {
        switch decision {
        case let .ignore(reason):
            return ScalerReport(.nothingToDo, reason)
        case let .launch(poolName, job):
            let pool = try pool(poolName)
            let report = try await record(pool, "launch") { try await launch(pool: pool, job: job, deadline: deadline) }
            return report
        case let .terminate(poolName, runnerName, job):
            let pool = try pool(poolName)
            return try await record(pool, "terminate") { try await terminate(runnerName, pool: pool, job: job, deadline: deadline) }
        case let .reapIdle(poolName, job):
            let pool = try pool(poolName)
            return try await record(pool, "reap-idle") { try await reapIdle(pool: pool, job: job, deadline: deadline) }
        }
    }

    // MARK: launch

    /// One `list` serves as both the max-runners cap count and the duplicate-delivery guard;
    /// then one registration call to GitHub and one launch: three calls per queued job with
    /// warm caches.
    func launch(pool: PoolConfig, job: JobReference, deadline: Deadline) async throws -> ScalerReport {
        let name = RunnerNaming.runnerName(prefix: config.runnerNamePrefix, pool: pool.name, job: job)
        let provider = providers(pool)
        let live = try await provider.list(pool: pool)
        if let existing = live.first(where: { $0.runnerName == name }) {
            return ScalerReport(.alreadyRunning, "host \(existing.id) already serves \(name); duplicate delivery ignored",
                                hosts: [existing.id])
        }
        guard live.count < pool.maxRunners else {
            throw ScalerError(status: 503, "pool \(pool.name) is at maxRunners (\(pool.maxRunners)); job \(job.id) is left for redelivery by the sweeper")
        }
        let registration: UserDataTemplate.Registration
        var jitRunner: GitHubRunner?
        let target = RunnerTarget(scope: pool.scope, job: job)
        if let github {
            let installation = try installationLookup(pool: pool, job: job)
            switch pool.registration {
            case .jit:
                let group = try await github.runnerGroupID(named: pool.runnerGroup, target: target, installation: installation, deadline: deadline)
                let jit: JITConfig
                do {
                    jit = try await github.jitConfig(
                        JITRequest(name: name, labels: pool.labels, runnerGroupID: group, workFolder: pool.workFolder),
                        target: target, installation: installation, deadline: deadline)
                } catch let error as HTTPStatusError where error.status == 409 {
                    // The name is per job and attempt: a registration under it means another
                    // delivery of this job got here first and is launching its host.
                    return ScalerReport(.alreadyRunning, "runner \(name) is already registered; duplicate delivery ignored")
                }
                jitRunner = jit.runner
                registration = .jit(jit)
            case .registrationToken:
                let token = try await github.registrationToken(target: target, installation: installation, deadline: deadline)
                registration = .token(token, url: target.webURL(apiURL: apiURL))
            }
        } else {
            registration = .planned
        }
        let template = templates[pool.name] ?? .builtIn
        let spec = HostSpec(runnerName: name, pool: pool, job: job,
                            userData: template.render(runnerName: name, pool: pool, registration: registration),
                            managedBy: config.runnerNamePrefix)
        let outcome: LaunchOutcome
        do { outcome = try await provider.launch(spec) } catch {
            // The JIT registration would linger offline; the sweeper deletes such runners too,
            // but removing it now keeps GitHub's list honest.
            if let github, let runner = jitRunner, let installation = try? installationLookup(pool: pool, job: job) {
                _ = try? await github.deleteRunner(id: runner.id, target: target, installation: installation, deadline: deadline)
            }
            throw error
        }
        switch outcome {
        case let .launched(host): return ScalerReport(.launched, "launched \(host.id) as \(name)", hosts: [host.id])
        case let .alreadyExists(host):
            return ScalerReport(.alreadyRunning, "host \(host.id) already serves \(name)", hosts: [host.id])
        case let .planned(plan): return ScalerReport(.planned, plan)
        }
    }

    // MARK: terminate

    /// Ends the host that ran the job, unless GitHub says its runner is busy (then it is
    /// running something else and the sweeper decides later), and removes the runner from
    /// GitHub if it is still registered.
    func terminate(_ runnerName: String, pool: PoolConfig, job: JobReference, deadline: Deadline) async throws -> ScalerReport {
        let provider = providers(pool)
        let target = RunnerTarget(scope: pool.scope, job: job)
        var registered: GitHubRunner?
        if let github {
            let installation = try installationLookup(pool: pool, job: job)
            registered = try await github.findRunner(named: runnerName, target: target, installation: installation, deadline: deadline)
            if let registered, registered.busy {
                return ScalerReport(.deferred, "runner \(runnerName) is busy according to GitHub; left to the sweeper")
            }
        }
        let hosts = try await provider.find(runnerName: runnerName, pool: pool)
        var done: [String] = []
        var plans: [String] = []
        for host in hosts {
            switch try await provider.terminate(host) {
            case let .terminated(h): done.append(h.id)
            case let .planned(plan): plans.append(plan)
            }
        }
        if let github, let registered {
            // Ephemeral runners usually remove themselves; a 404 here is success.
            _ = try await github.deleteRunner(id: registered.id, target: target, installation: try installationLookup(pool: pool, job: job),
                                              deadline: deadline)
        }
        if !plans.isEmpty { return ScalerReport(.planned, plans.joined(separator: "; ")) }
        guard !done.isEmpty else {
            return ScalerReport(.nothingToDo, "no live host named \(runnerName) in pool \(pool.name)")
        }
        return ScalerReport(.terminated, "terminated \(done.joined(separator: ", ")) (\(runnerName))", hosts: done)
    }

    // MARK: reap idle

    func reapIdle(pool: PoolConfig, job: JobReference, deadline: Deadline) async throws -> ScalerReport {
        let provider = providers(pool)
        guard let github else {
            return ScalerReport(.planned, "would terminate the newest idle host of pool \(pool.name) (job \(job.id) was cancelled before pick-up)")
        }
        let hosts = try await provider.list(pool: pool)
        guard !hosts.isEmpty else { return ScalerReport(.nothingToDo, "pool \(pool.name) has no host to reap") }
        let target = RunnerTarget(scope: pool.scope, job: job)
        let installation = try installationLookup(pool: pool, job: job)
        let runners = try await github.listRunners(target: target, installation: installation, deadline: deadline)
        guard let idle = IdleSelection.newestIdle(hosts: hosts, runners: runners, now: now(), bootGrace: pool.bootGrace) else {
            return ScalerReport(.nothingToDo, "no idle host in pool \(pool.name); the sweeper rechecks later")
        }
        let outcome = try await provider.terminate(idle)
        if let runner = runners.first(where: { $0.name == idle.runnerName }) {
            _ = try await github.deleteRunner(id: runner.id, target: target, installation: installation, deadline: deadline)
        }
        switch outcome {
        case let .terminated(host): return ScalerReport(.terminated, "terminated idle \(host.id) (\(idle.runnerName))", hosts: [host.id])
        case let .planned(plan): return ScalerReport(.planned, plan)
        }
    }

    // MARK: helpers

    /// The installation to act as: the payload's, the pool's, or found by repository/org.
    func installationLookup(pool: PoolConfig, job: JobReference) throws -> InstallationLookup {
        if let id = job.installationID { return .id(id) }
        if let id = pool.installationID { return .id(id) }
        switch RunnerTarget(scope: pool.scope, job: job) {
        case let .repository(owner, name): return .repository(owner: owner, name: name)
        case let .organization(org): return .organization(org)
        case let .enterprise(slug):
            throw ScalerError(status: 500, "pool \(pool.name) registers in enterprise \(slug) but the delivery carries no installation id; set installationId on the pool")
        }
    }

    private func pool(_ name: String) throws(ScalerError) -> PoolConfig {
        guard let pool = config.pool(named: name) else { throw ScalerError(status: 500, "unknown pool \(name)") }
        return pool
    }

    /// Runs one action, maps any error to a `ScalerError` with a status, and counts it.
    private func record(_ pool: PoolConfig, _ action: String,
                        _ body: () async throws -> ScalerReport) async throws(ScalerError) -> ScalerReport {
        let kind = pool.provider.kind
        do {
            let report = try await body()
            let outcome = report.result.rawValue
            if action == "launch" { ScalerMetrics.launch(pool: pool.name, provider: kind, outcome: outcome) }
            else { ScalerMetrics.termination(pool: pool.name, provider: kind, outcome: outcome) }
            return report
        } catch let error as ScalerError {
            if action == "launch" { ScalerMetrics.launch(pool: pool.name, provider: kind, outcome: error.status == 503 ? "deferred" : "failed") }
            else { ScalerMetrics.termination(pool: pool.name, provider: kind, outcome: "failed") }
            throw error
        } catch let error as RateLimitedError {
            ScalerMetrics.launch(pool: pool.name, provider: kind, outcome: "rate-limited")
            throw ScalerError(status: 503, "\(action) in pool \(pool.name) deferred: \(error)")
        } catch {
            if action == "launch" { ScalerMetrics.launch(pool: pool.name, provider: kind, outcome: "failed") }
            else { ScalerMetrics.termination(pool: pool.name, provider: kind, outcome: "failed") }
            throw ScalerError("\(kind) \(action) in pool \(pool.name) failed: \(error)")
        }
    }
}
