#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runner hosts as EC2 instances. One provider serves every `ec2` pool; each call takes the
/// pool's `ec2:` settings (and region) from the pool it is given.
///
/// Budget per queued job: the scaler's one `list(pool:)` (the max-runners count and the
/// duplicate-job guard in one `DescribeInstances`), then one `RunInstances` here, plus one
/// more per capacity fallback. `launch` deliberately does not look the job up again.
public struct EC2Provider: HostProvider {
    public var kind: String { "ec2" }

    public let environment: [String: String]
    public let credentials: any AWSCredentialsProviding
    public let http: RetryingHTTPClient
    /// The managed-by tag value this deployment lists and terminates.
    public let managedBy: String
    public let dryRun: Bool
    /// Each pool's settings, so `terminate` (given only a host) finds the pool's region.
    public let poolSettings: [String: EC2PoolSettings]
    /// The time one operation may take when the caller gives no deadline.
    public let operationBudget: Duration
    /// `MaxResults` of each `DescribeInstances` page (EC2 takes 5...1000). The default, EC2's
    /// largest, makes a pool of up to 1000 live hosts one call, not one per 100 (moto's
    /// default page).
    public var pageSize = 1000
    private let now: @Sendable () -> Date
    private let logger: Logger

    public init(environment: [String: String], credentials: any AWSCredentialsProviding, http: RetryingHTTPClient,
                managedBy: String, pools: [PoolConfig] = [], dryRun: Bool = false, operationBudget: Duration = .seconds(8),
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "runner-scaler.ec2")) {
        self.environment = environment
        self.credentials = credentials
        self.http = http
        self.managedBy = managedBy
        self.dryRun = dryRun
        var settings: [String: EC2PoolSettings] = [:]
        for pool in pools { if case let .ec2(s) = pool.provider { settings[pool.name] = s } }
        self.poolSettings = settings
        self.operationBudget = operationBudget
        self.now = now
        self.logger = logger
    }

    /// The provider `ProviderSet` builds: the standard credentials chain (cached) over the
    /// shared HTTP client. Checks up front that every ec2 pool has a region and that endpoint
    /// overrides parse, so a bad setup fails at startup rather than on the first job.
    public init(context: ProviderContext, config: ScalerConfig) throws {
        self.init(environment: context.environment,
                  credentials: AWSCredentialsCache.standard(environment: context.environment, http: context.http),
                  http: RetryingHTTPClient(base: context.http, logger: context.logger), managedBy: context.managedBy,
                  pools: config.pools, dryRun: context.dryRun, logger: context.logger)
        guard !dryRun else { return }
        for pool in config.pools where pool.provider.kind == kind { _ = try client(pool: pool.name) }
    }

    // MARK: HostProvider

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        try await launch(spec, deadline: .after(operationBudget))
    }

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        try await terminate(host, deadline: .after(operationBudget))
    }

    public func list(pool: PoolConfig) async throws -> [RunnerHost] {
        try await list(pool: pool, deadline: .after(operationBudget))
    }

    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        try await find(runnerName: runnerName, pool: pool, deadline: .after(operationBudget))
    }

    // MARK: with the caller's deadline

    /// One `RunInstances` per attempt of the pool's `EC2LaunchPlan` until one succeeds.
    public func launch(_ spec: HostSpec, deadline: Deadline) async throws -> LaunchOutcome {
        let settings = try Self.settings(spec.pool)
        let plan = EC2LaunchPlan(spec: spec, settings: settings)
        if dryRun { return .planned(dryRunLaunchText(plan, pool: spec.pool.name, settings: settings)) }
        let ec2 = try client(pool: spec.pool.name, settings: settings)
        var tried: [String] = []
        var skipSpot = false
        for attempt in plan.attempts where !(attempt.isSpot && skipSpot) {
            if !tried.isEmpty, deadline.hasPassed {
                throw EC2ProviderError.outOfTime(pool: spec.pool.name, runnerName: spec.runnerName, tried: tried)
            }
            do {
                let response = try await ec2.runInstances(attempt.request, deadline: deadline)
                guard let instance = response.instances.first else {
                    throw EC2ProviderError.emptyLaunchResponse(pool: spec.pool.name, runnerName: spec.runnerName)
                }
                logger.info("launched EC2 instance", metadata: [
                    "instance_id": .string(instance.instanceId), "runner": .string(spec.runnerName),
                    "pool": .string(spec.pool.name), "placement": .string(attempt.label),
                ])
                var host = RunnerHost(ec2Instance: instance, pool: spec.pool.name)
                host.runnerName = spec.runnerName
                host.jobID = spec.job?.id
                return .launched(host)
            } catch let error as EC2Error {
                tried.append("\(attempt.label): \(error.code)")
                if error.code == "IdempotentParameterMismatch" {
                    // A concurrent delivery of this job attempt already launched with this
                    // token (on another placement): that instance is the host. The token and
                    // the runner name come from the same job attempt, so the name tag finds it
                    // (and unlike the client-token filter, also on emulators).
                    if let existing = try await describe(pool: spec.pool, narrowing: .tag(HostTags.runnerName, spec.runnerName),
                                                         deadline: deadline).first {
                        return .alreadyExists(existing)
                    }
                    throw EC2ProviderError.launchRejected(pool: spec.pool.name, runnerName: spec.runnerName,
                                                          error: error, tried: tried)
                }
                if attempt.isSpot, Self.spotAccountCodes.contains(error.code) {
                    skipSpot = true
                } else if !(error.disposition == .tryOtherPlacement || (attempt.isSpot && Self.spotCodes.contains(error.code))) {
                    throw EC2ProviderError.launchRejected(pool: spec.pool.name, runnerName: spec.runnerName,
                                                          error: error, tried: tried)
                }
                logger.notice("EC2 launch attempt refused, trying the next placement", metadata: [
                    "runner": .string(spec.runnerName), "pool": .string(spec.pool.name),
                    "placement": .string(attempt.label), "code": .string(error.code),
                ])
            }
        }
        throw EC2ProviderError.noCapacity(pool: spec.pool.name, runnerName: spec.runnerName, tried: tried)
    }

    public func terminate(_ host: RunnerHost, deadline: Deadline) async throws -> TerminateOutcome {
        let request = EC2TerminateInstancesRequest(instanceIds: [host.id])
        let settings = poolSettings[host.pool] ?? EC2PoolSettings()
        if dryRun { return .planned(dryRunText(request, pool: host.pool, settings: settings)) }
        let ec2 = try client(pool: host.pool, settings: settings)
        var gone = host
        do {
            let response = try await ec2.terminateInstances(request, deadline: deadline)
            gone.state = response.instances.first { $0.instanceId == host.id }
                .map { RunnerHost.State(ec2State: $0.currentState) } ?? .stopping
        } catch let error as EC2Error where error.code == "InvalidInstanceID.NotFound" {
            // Terminated long enough ago that EC2 forgot it: the goal is reached.
            gone.state = .terminated
        }
        logger.info("terminated EC2 instance", metadata: [
            "instance_id": .string(host.id), "runner": .string(host.runnerName), "pool": .string(host.pool),
        ])
        return .terminated(gone)
    }

    public func list(pool: PoolConfig, deadline: Deadline) async throws -> [RunnerHost] {
        try await describe(pool: pool, deadline: deadline)
    }

    public func find(runnerName: String, pool: PoolConfig, deadline: Deadline) async throws -> [RunnerHost] {
        try await find(runnerNames: [runnerName], pool: pool, deadline: deadline)
    }

    public func find(runnerNames: [String], pool: PoolConfig) async throws -> [RunnerHost] {
        try await find(runnerNames: runnerNames, pool: pool, deadline: .after(operationBudget))
    }

    /// One `DescribeInstances` per `maxFilterValues` names, each filtered by the runner-name
    /// tag with all of them as values: a batch of completed jobs costs one small call, and the
    /// response holds only their hosts, not the whole pool.
    public func find(runnerNames: [String], pool: PoolConfig, deadline: Deadline) async throws -> [RunnerHost] {
        let names = runnerNames.uniqued()
        if dryRun {
            // Nothing is looked up in a dry run; a stand-in host per name lets the plan show
            // the TerminateInstances a real run would send for that runner.
            return names.map { RunnerHost(id: "<instance tagged \(HostTags.runnerName)=\($0)>", runnerName: $0,
                                          pool: pool.name, state: .running) }
        }
        var hosts: [RunnerHost] = []
        var start = 0
        while start < names.count {
            let chunk = Array(names[start..<min(start + Self.maxFilterValues, names.count)])
            hosts += try await describe(pool: pool, narrowing: .tag(HostTags.runnerName, values: chunk),
                                        deadline: deadline)
            start += chunk.count
        }
        return hosts
    }

    // MARK: pieces

    /// Spot-only refusals after which on-demand (or another spot placement) may work.
    static let spotCodes: Set<String> = ["SpotMaxPriceTooLow", "InsufficientSpotInstanceCapacity"]
    /// Account-wide spot limits: no other spot placement will do better.
    static let spotAccountCodes: Set<String> = ["MaxSpotInstanceCountExceeded"]

    /// Values EC2 accepts in one filter.
    static let maxFilterValues = 200

    /// The filters of every lookup: alive, then `narrowing` (a runner-name filter, say), then
    /// this pool and ours. EC2 gives the same answer in any order; an emulator that tests the
    /// filters in the order given (moto does) skips the tag look-ups of terminated hosts and
    /// of hosts the narrowing filter already excluded.
    public func filters(pool: String, narrowing: EC2Filter? = nil) -> [EC2Filter] {
        [.instanceStateName("pending", "running")] + (narrowing.map { [$0] } ?? [])
            + [.tag(HostTags.pool, pool), .tag(HostTags.managedBy, managedBy)]
    }

    private func describe(pool: PoolConfig, narrowing: EC2Filter? = nil, deadline: Deadline) async throws -> [RunnerHost] {
        let settings = try Self.settings(pool)
        if dryRun { return [] }
        let ec2 = try client(pool: pool.name, settings: settings)
        let request = EC2DescribeInstancesRequest(filters: filters(pool: pool.name, narrowing: narrowing), maxResults: pageSize)
        return try await ec2.describeInstances(request, deadline: deadline)
            .map { RunnerHost(ec2Instance: $0, pool: pool.name) }
    }

    static func settings(_ pool: PoolConfig) throws -> EC2PoolSettings {
        guard case let .ec2(settings) = pool.provider else {
            throw EC2ProviderError.notEC2Pool(pool: pool.name, kind: pool.provider.kind)
        }
        return settings
    }

    /// The EC2 client for a pool's region (its own, else the environment's).
    public func client(pool: String, settings: EC2PoolSettings? = nil) throws -> EC2Client {
        let settings = settings ?? poolSettings[pool] ?? EC2PoolSettings()
        guard let region = AWSRegion.resolve(configured: settings.region, environment: environment) else {
            throw EC2ProviderError.noRegion(pool: pool)
        }
        do {
            return EC2Client(service: try AWSServiceClient(service: .ec2, region: region, environment: environment,
                                                           credentials: credentials, http: http, now: now))
        } catch {
            throw EC2ProviderError.invalidEndpoint(error)
        }
    }

    // MARK: dry run

    /// The first attempt's parameters exactly as they would be sent, one `Name=Value` per
    /// line, the user data as its size only, then the fallback order.
    func dryRunLaunchText(_ plan: EC2LaunchPlan, pool: String, settings: EC2PoolSettings) -> String {
        guard let first = plan.attempts.first else { return "no RunInstances attempt for pool \(pool)" }
        var text = dryRunText(first.request, pool: pool, settings: settings)
        let rest = plan.attempts.dropFirst().map(\.label)
        if !rest.isEmpty { text += "\n# on capacity errors, then: " + rest.joined(separator: "; ") }
        return text
    }

    func dryRunText(_ operation: some EC2QueryRequest, pool: String, settings: EC2PoolSettings) -> String {
        let region = AWSRegion.resolve(configured: settings.region, environment: environment)
        let endpoint = region.flatMap { try? AWSEndpoint.resolve(.ec2, region: $0, environment: environment) }
        var lines = ["ec2 \(type(of: operation).action) in \(region ?? "<no region: set ec2.region or AWS_REGION>")"
            + (endpoint.map { " (\($0))" } ?? "") + " for pool \(pool):"]
        let userDataBytes = (operation as? EC2RunInstancesRequest)?.userData?.utf8Bytes.count
        for (name, value) in [("Action", type(of: operation).action), ("Version", EC2API.version)] + operation.queryParameters {
            if name == "UserData", let userDataBytes {
                lines.append("UserData=<redacted: \(userDataBytes) bytes>")
            } else {
                lines.append("\(name)=\(value)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
