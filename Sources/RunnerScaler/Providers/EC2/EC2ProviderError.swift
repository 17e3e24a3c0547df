/// Why the EC2 provider could not do what was asked. Messages name the pool and what to
/// change; they carry EC2's own error codes and messages, never credentials or user data.
public enum EC2ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pool's provider is not `ec2`.
    case notEC2Pool(pool: String, kind: String)
    case noRegion(pool: String)
    case invalidEndpoint(AWSEndpointError)
    /// Every instance type × subnet (× spot/on-demand) was refused for capacity or quota.
    case noCapacity(pool: String, runnerName: String, tried: [String])
    /// EC2 refused the launch for a reason another placement will not fix.
    case launchRejected(pool: String, runnerName: String, error: EC2Error, tried: [String])
    /// The deadline ran out between launch attempts.
    case outOfTime(pool: String, runnerName: String, tried: [String])
    /// RunInstances succeeded but named no instance.
    case emptyLaunchResponse(pool: String, runnerName: String)

    public var description: String {
        switch self {
        case let .notEC2Pool(pool, kind):
            return "pool \(pool) uses provider \(kind), not ec2"
        case let .noRegion(pool):
            return "pool \(pool) has no AWS region: set ec2.region in the pool, or AWS_REGION"
        case let .invalidEndpoint(error):
            return error.description
        case let .noCapacity(pool, name, tried):
            return "no EC2 capacity for \(name) in pool \(pool); tried \(tried.joined(separator: "; ")). "
                + "Add instance types or subnets (other availability zones) to the pool, or raise the quota"
        case let .launchRejected(pool, name, error, tried):
            let before = tried.isEmpty ? "" : " (after \(tried.joined(separator: "; ")))"
            return "EC2 refused to launch \(name) for pool \(pool): \(error)\(before)"
        case let .outOfTime(pool, name, tried):
            return "ran out of time launching \(name) for pool \(pool) after \(tried.joined(separator: "; "))"
        case let .emptyLaunchResponse(pool, name):
            return "RunInstances for \(name) in pool \(pool) returned no instance"
        }
    }
}
