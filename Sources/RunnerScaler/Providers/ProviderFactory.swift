import Logging

/// What every provider is built from: shared clients and startup settings.
public struct ProviderContext: Sendable {
    public var environment: [String: String]
    public var http: any HTTPClient
    public var secrets: any SecretResolving
    public var logger: Logger
    /// Print the exact requests or commands instead of sending them.
    public var dryRun: Bool
    /// The managed-by tag value (the runner-name prefix).
    public var managedBy: String

    public init(environment: [String: String], http: any HTTPClient, secrets: any SecretResolving, logger: Logger,
                dryRun: Bool, managedBy: String) {
        self.environment = environment
        self.http = http
        self.secrets = secrets
        self.logger = logger
        self.dryRun = dryRun
        self.managedBy = managedBy
    }
}

public struct ProviderUnavailable: Error, Sendable, CustomStringConvertible {
    public var kind: String
    public var reason: String
    public var description: String { "provider \(kind) cannot start: \(reason)" }
}

/// One provider per kind in use, built once at startup (secrets resolved then), shared by
/// every pool of that kind; pool settings travel in each `HostSpec`. Real providers are
/// wrapped in `ListCoalescingProvider`, so a burst of deliveries shares its pool lists.
public struct ProviderSet: Sendable {
    private let byKind: [String: any HostProvider]

    public init(_ byKind: [String: any HostProvider]) { self.byKind = byKind }

    public func provider(for pool: PoolConfig) -> any HostProvider { byKind[pool.provider.kind] ?? DryRunProvider() }

    public static func make(for config: ScalerConfig, context: ProviderContext) async throws -> ProviderSet {
        var byKind: [String: any HostProvider] = [:]
        for pool in config.pools where byKind[pool.provider.kind] == nil {
            let provider = try await makeProvider(pool.provider, config: config, context: context)
            let real = !context.dryRun && pool.provider.kind != ProviderConfig.dryRun.kind
            byKind[pool.provider.kind] = real ? ListCoalescingProvider(provider) : provider
        }
        return ProviderSet(byKind)
    }

    static func makeProvider(_ provider: ProviderConfig, config: ScalerConfig, context: ProviderContext) async throws -> any HostProvider {
        switch provider {
        case .dryRun: return DryRunProvider()
        case .ec2: return try EC2Provider(context: context, config: config)
        case .metal: return try await MetalProvider.make(config: config, context: context)
        case .libvirt: return try await LibvirtProvider.make(config: config, context: context)
        }
    }
}
