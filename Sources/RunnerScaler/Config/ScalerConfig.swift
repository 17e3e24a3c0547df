/// The pools file (`config.yml`), validated.
public struct ScalerConfig: Sendable, Equatable {
    public static let defaultRunnerNamePrefix = "rs"

    /// First component of every runner and host name; also the managed-by marker's value.
    public var runnerNamePrefix: String
    public var pools: [PoolConfig]

    public init(runnerNamePrefix: String = ScalerConfig.defaultRunnerNamePrefix, pools: [PoolConfig]) {
        self.runnerNamePrefix = runnerNamePrefix
        self.pools = pools
    }

    public func pool(named name: String) -> PoolConfig? { pools.first { $0.name == name } }

    /// True when no pool would reach a real provider, so replay can default to a dry run.
    public var isDryRunOnly: Bool { pools.allSatisfy { $0.provider == .dryRun } }
}
