/// What to do about a failed AWS call, decided from its error code and HTTP status.
public enum AWSErrorDisposition: String, Sendable, Hashable, CustomStringConvertible {
    /// EC2 has no capacity (or no quota) for this instance type here: try the next instance
    /// type or subnet rather than the same request again.
    case tryOtherPlacement = "try another instance type or subnet"
    /// Throttling or a server-side failure: the same request may succeed after a backoff.
    case retryWithBackoff = "retry with backoff"
    /// The instance, secret or parameter does not exist (right after `RunInstances` this can
    /// be EC2's eventual consistency).
    case notFound = "not found"
    /// The request is wrong or not allowed; repeating it will not help.
    case clientError = "client error"

    /// Capacity and quota codes after which another instance type or subnet may work.
    public static let placementCodes: Set<String> = [
        "InsufficientInstanceCapacity", "Unsupported", "InstanceLimitExceeded",
        "InsufficientFreeAddressesInSubnet",
    ]

    /// Throttling codes: EC2's own (503 in botocore's `_retry.json`) and the general ones.
    public static let throttlingCodes: Set<String> = [
        "RequestLimitExceeded", "EC2ThrottledException", "Throttling", "ThrottlingException",
        "ThrottledException", "RequestThrottledException", "ProvisionedThroughputExceededException",
        "TooManyRequestsException",
    ]

    public static let notFoundCodes: Set<String> = [
        "InvalidInstanceID.NotFound", "ResourceNotFoundException", "ParameterNotFound",
    ]

    /// Codes are checked before statuses: `InsufficientInstanceCapacity` arrives as a 500 but
    /// retrying the same placement only fails again.
    public static func classify(code: String?, httpStatus: Int?) -> AWSErrorDisposition {
        if let code {
            if placementCodes.contains(code) { return .tryOtherPlacement }
            if notFoundCodes.contains(code) { return .notFound }
            if throttlingCodes.contains(code) { return .retryWithBackoff }
        }
        if let status = httpStatus, status == 429 || (500...599).contains(status) {
            return .retryWithBackoff
        }
        return .clientError
    }

    public var description: String { rawValue }
}
