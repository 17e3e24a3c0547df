#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runner hosts as Packet / Equinix Metal bare-metal devices. The device's hostname is the
/// runner name and its tags (`key=value` strings) carry the managed-by marker, pool and job,
/// so lookups need no state of our own. One provider serves every metal pool of the config;
/// each pool's API key is resolved once, when the provider is built.
public struct MetalProvider: HostProvider {
    public struct Options: Sendable {
        /// `per_page` for device lists (the API allows 1...1000).
        public var pageSize: Int = 100
        /// Time allowed for one provider operation, lookups and retries included. The
        /// `HostProvider` calls carry no deadline of their own, so this bounds them.
        public var operationBudget: Duration = .seconds(30)
        public var retryPolicy: RetryPolicy = .standard
        public var sleeper: any RetrySleeper = SystemRetrySleeper()

        public init() {}
    }

    struct Pool: Sendable {
        var settings: MetalPoolSettings
        var endpoints: MetalEndpoints
        /// Nil in a dry run, which resolves no key and sends nothing.
        var client: MetalAPIClient?
    }

    public var kind: String { "metal" }

    private let pools: [String: Pool]
    private let managedBy: String
    private let options: Options
    private let logger: Logger

    /// Builds the provider for every `provider: metal` pool of `config`, resolving their API
    /// keys through `context.secrets` (skipped in a dry run).
    public static func make(config: ScalerConfig, context: ProviderContext, options: Options = Options()) async throws -> MetalProvider {
        let metal: [(name: String, settings: MetalPoolSettings)] = config.pools.compactMap { pool in
            if case let .metal(settings) = pool.provider { (pool.name, settings) } else { nil }
        }
        let credentials = context.dryRun ? nil
            : try await MetalCredentials.resolve(pools: metal, environment: context.environment, secrets: context.secrets)
        return MetalProvider(pools: metal, credentials: credentials, http: context.http, managedBy: context.managedBy,
                             logger: context.logger, options: options)
    }

    /// `credentials` nil means a dry run: plans only, no HTTP call.
    public init(pools: [(name: String, settings: MetalPoolSettings)], credentials: MetalCredentials?, http: any HTTPClient,
                managedBy: String, logger: Logger, options: Options = Options()) {
        let retrying = RetryingHTTPClient(base: http, policy: options.retryPolicy, sleeper: options.sleeper, logger: logger)
        var byName: [String: Pool] = [:]
        for (name, settings) in pools {
            let endpoints = MetalEndpoints(apiURL: settings.apiURL)
            let client = credentials?.token(forPool: name).map {
                MetalAPIClient(endpoints: endpoints, token: $0, http: retrying, logger: logger)
            }
            byName[name] = Pool(settings: settings, endpoints: endpoints, client: client)
        }
        self.pools = byName
        self.managedBy = managedBy
        self.options = options
        self.logger = logger
    }

    // MARK: HostProvider

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        try await launch(spec, deadline: .after(options.operationBudget))
    }

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        try await terminate(host, deadline: .after(options.operationBudget))
    }

    public func list(pool: PoolConfig) async throws -> [RunnerHost] {
        try await list(pool: pool, deadline: .after(options.operationBudget))
    }

    public func find(runnerName: String, pool: PoolConfig) async throws -> [RunnerHost] {
        try await find(runnerName: runnerName, pool: pool, deadline: .after(options.operationBudget))
    }

    // MARK: with an explicit deadline

    /// Looks the hostname up first and creates nothing when a device of ours already has it, so a
    /// duplicated `queued` delivery starts no second machine (Metal has no idempotency token).
    public func launch(_ spec: HostSpec, deadline: Deadline) async throws -> LaunchOutcome {
        let pool = try self.pool(spec.pool.name)
        let request = MetalDeviceCreateRequest(spec: spec, settings: pool.settings)
        let projectID = pool.settings.projectID
        guard let client = pool.client else {
            let lookup = pool.endpoints.findDevices(projectID: projectID, filter: .hostname(spec.runnerName), page: 1,
                                                    perPage: options.pageSize)
            let create = pool.endpoints.createDevice(projectID: projectID, request)
            return .planned("\(lookup.plan), then if no device of ours is named \(spec.runnerName): \(create.plan)")
        }
        let policy = options.retryPolicy
        var attempt = 0
        while true {
            attempt += 1
            if let existing = try await existing(spec, pool: pool, client: client, deadline: deadline) {
                let host = existing.host(defaultPool: spec.pool.name)
                guard attempt == 1 else {
                    // The earlier attempt's answer was lost but the device was made: it is ours.
                    log("metal device created (found after a lost answer)", host, projectID)
                    return .launched(host)
                }
                logger.info("metal device already exists", metadata: [
                    "device_id": .string(host.id), "runner": .string(host.runnerName), "pool": .string(host.pool),
                    "device_state": .string(existing.state ?? "-"),
                ])
                return .alreadyExists(host)
            }
            do {
                let device = try await client.createDevice(projectID: projectID, request, deadline: deadline)
                let host = device.host(defaultPool: spec.pool.name)
                log("metal device created", host, projectID)
                return .launched(host)
            } catch let error as MetalAPIError {
                guard case .outcomeUnknown = error, attempt < policy.maxAttempts else { throw error }
                let wait = policy.backoff(afterAttempt: attempt, random: options.sleeper.random())
                guard wait + policy.minimumAttemptTime <= deadline.remaining else { throw error }
                logger.notice("metal create unanswered; looking the hostname up before retrying", metadata: [
                    "runner": .string(spec.runnerName), "attempt": "\(attempt)", "wait_ms": "\(wait.milliseconds)",
                    "error": .string(error.description),
                ])
                try await options.sleeper.sleep(for: wait)
            }
        }
    }

    /// `DELETE /devices/{id}`; a device that is already gone (404) counts as terminated. The
    /// device cannot delete itself, so this call (on `completed` and from the sweeper) is what
    /// ends its billing.
    public func terminate(_ host: RunnerHost, deadline: Deadline) async throws -> TerminateOutcome {
        let pool = try self.pool(host.pool)
        guard let client = pool.client else {
            let delete = pool.endpoints.deleteDevice(id: host.id, forceDelete: pool.settings.forceDelete)
            guard host.id.hasPrefix(Self.dryRunIDPrefix) else { return .planned(delete.plan) }
            // A dry run looked nothing up, so it does not know the id: show the lookup and the delete.
            let lookup = pool.endpoints.findDevices(projectID: pool.settings.projectID, filter: .hostname(host.runnerName),
                                                    page: 1, perPage: options.pageSize)
            let template = "\(pool.endpoints.baseURL)/devices/{id}?force_delete=\(pool.settings.forceDelete)"
            return .planned("\(lookup.plan), then for each live device of ours named \(host.runnerName): DELETE \(template)")
        }
        let deleted = try await client.deleteDevice(id: host.id, forceDelete: pool.settings.forceDelete, deadline: deadline)
        logger.info(deleted ? "metal device deleted" : "metal device was already gone", metadata: [
            "device_id": .string(host.id), "runner": .string(host.runnerName), "pool": .string(host.pool),
            "force_delete": "\(pool.settings.forceDelete)",
        ])
        var gone = host
        gone.state = .terminated
        return .terminated(gone)
    }

    /// Devices tagged with the pool (the API filters by one exact tag), checked again here for
    /// both the pool and the managed-by marker, so another scaler's pool of the same name in the
    /// same project is left alone. Devices already being deleted are skipped.
    public func list(pool config: PoolConfig, deadline: Deadline) async throws -> [RunnerHost] {
        let pool = try self.pool(config.name)
        guard let client = pool.client else { return [] }
        let devices = try await client.findDevices(
            projectID: pool.settings.projectID, filter: .tag(MetalTags.tag(HostTags.pool, config.name)),
            perPage: options.pageSize, deadline: deadline)
        return devices.filter { !$0.isGone && $0.isOurs(pool: config.name, managedBy: managedBy) }
            .map { $0.host(defaultPool: config.name) }
    }

    /// The hostname filter matches partially, so the name is compared exactly here.
    public func find(runnerName: String, pool config: PoolConfig, deadline: Deadline) async throws -> [RunnerHost] {
        let pool = try self.pool(config.name)
        guard let client = pool.client else {
            // Like the dry-run provider: assume the host exists so the plan shows its deletion.
            return [RunnerHost(id: Self.dryRunIDPrefix + runnerName, runnerName: runnerName, pool: config.name, state: .running)]
        }
        let devices = try await client.findDevices(projectID: pool.settings.projectID, filter: .hostname(runnerName),
                                                   perPage: options.pageSize, deadline: deadline)
        return devices.filter { $0.hostname == runnerName && !$0.isGone && $0.isOurs(pool: config.name, managedBy: managedBy) }
            .map { $0.host(defaultPool: config.name) }
    }

    // MARK: helpers

    static let dryRunIDPrefix = "dry-run:"

    private func pool(_ name: String) throws(MetalProviderError) -> Pool {
        guard let pool = pools[name] else { throw MetalProviderError.unknownPool(name) }
        return pool
    }

    /// Any device of ours with exactly this hostname, in any state: one that is already being
    /// deleted also means this runner's host was made once, and a second one would only idle.
    private func existing(_ spec: HostSpec, pool: Pool, client: MetalAPIClient, deadline: Deadline) async throws -> MetalDevice? {
        try await client.findDevices(projectID: pool.settings.projectID, filter: .hostname(spec.runnerName),
                                     perPage: options.pageSize, deadline: deadline)
            .first { $0.hostname == spec.runnerName && $0.isOurs(pool: spec.pool.name, managedBy: spec.managedBy) }
    }

    private func log(_ message: Logger.Message, _ host: RunnerHost, _ projectID: String) {
        logger.info(message, metadata: [
            "device_id": .string(host.id), "runner": .string(host.runnerName), "pool": .string(host.pool),
            "job_id": .string(host.jobID.map(String.init) ?? "-"), "project_id": .string(projectID),
        ])
    }
}
