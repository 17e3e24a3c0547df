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

/// Which backend starts the pool's hosts, with its settings.
public enum ProviderConfig: Sendable, Equatable {
    /// Plans every action and performs none: no cloud call, no GitHub call.
    case dryRun

    public var kind: String {
        switch self {
        case .dryRun: "dry-run"
        }
    }

    public static let knownKinds = ["dry-run"]
}
