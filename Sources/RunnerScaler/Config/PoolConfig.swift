/// One pool: a set of labels served by one provider with one host shape.
public struct PoolConfig: Sendable, Equatable {
    public var name: String
    public var labels: [String]
    /// When true (the default) a job must carry the `self-hosted` label to match this pool.
    public var requireSelfHostedLabel: Bool
    public var maxRunners: Int
    public var scope: RunnerScope
    public var runnerGroup: String?
    public var allowOwners: [String]
    public var allowRepositories: [String]
    public var provider: ProviderConfig
    /// JIT configs (default), or registration tokens for servers without JIT.
    public var registration: RunnerRegistration = .jit
    /// Skip installation discovery: use this installation.
    public var installationID: Int64?
    public var workFolder: String = "_work"
    /// Runner version downloaded when the image has no runner preinstalled.
    public var runnerVersion: String = PoolConfig.defaultRunnerVersion
    /// Path to a user-data template replacing the built-in one.
    public var userDataTemplate: String?
    /// A host whose runner has not registered by then is broken (sweeper).
    public var bootTimeout: Duration = .seconds(600)
    /// A host this young may still be about to register; not yet "idle".
    public var bootGrace: Duration = .seconds(120)
    /// No host lives longer than this (sweeper).
    public var maxLifetime: Duration = .seconds(8 * 3600)
    /// Idle runners kept warm by the sweeper.
    public var minIdle: Int = 0

    public static let defaultRunnerVersion = "2.321.0"

    public init(
        name: String, labels: [String], requireSelfHostedLabel: Bool = true, maxRunners: Int = 10,
        scope: RunnerScope = .organization, runnerGroup: String? = nil, allowOwners: [String] = [],
        allowRepositories: [String] = [], provider: ProviderConfig = .dryRun
    ) {
        self.name = name
        self.labels = labels
        self.requireSelfHostedLabel = requireSelfHostedLabel
        self.maxRunners = maxRunners
        self.scope = scope
        self.runnerGroup = runnerGroup
        self.allowOwners = allowOwners
        self.allowRepositories = allowRepositories
        self.provider = provider
    }

    var labelSet: Set<String> { Set(labels.map { $0.lowercased() }) }

    /// Owners and `owner/name` repositories compare case-insensitively, as GitHub does.
    public func allows(repository: String, owner: String) -> Bool {
        allowOwners.contains { $0.lowercased() == owner.lowercased() }
            || allowRepositories.contains { $0.lowercased() == repository.lowercased() }
    }
}

/// Where the pool's runners register.
public enum RunnerScope: Sendable, Equatable {
    case repository
    case organization
    case enterprise(slug: String)

    public var name: String {
        switch self {
        case .repository: "repo"
        case .organization: "org"
        case .enterprise: "enterprise"
        }
    }
}

/// How a runner registers with GitHub.
public enum RunnerRegistration: String, Sendable, Equatable {
    /// A single-use just-in-time config (GitHub.com, GHES 3.10+).
    case jit
    /// A one-hour registration token with `config.sh --ephemeral`, for servers without JIT.
    case registrationToken = "token"
}

/// Which backend starts the pool's hosts, with its settings.
public enum ProviderConfig: Sendable, Equatable {
    /// Plans every action and performs none: no cloud call, no GitHub call.
    case dryRun
    case ec2(EC2PoolSettings)
    case metal(MetalPoolSettings)
    case libvirt(LibvirtPoolSettings)

    public var kind: String {
        switch self {
        case .dryRun: "dry-run"
        case .ec2: "ec2"
        case .metal: "metal"
        case .libvirt: "libvirt"
        }
    }

    public static let knownKinds = ["dry-run", "ec2", "metal", "libvirt"]
}
