/// Anything that hands out AWS credentials for signing: the cache in front of the standard
/// chain in production, a fixed key pair in tests.
public protocol AWSCredentialsProviding: Sendable {
    func credentials(deadline: Deadline) async throws -> SigV4Credentials
}

/// Fixed credentials (an access key created in a test emulator, or keys handed in by a caller).
public struct StaticAWSCredentials: AWSCredentialsProviding, CustomStringConvertible {
    public let value: SigV4Credentials

    public init(_ value: SigV4Credentials) { self.value = value }

    public func credentials(deadline: Deadline) async throws -> SigV4Credentials { value }

    public var description: String { "StaticAWSCredentials(\(value))" }
}

/// One link of the credentials chain (environment, shared files, container, IMDS).
public protocol AWSCredentialsSource: Sendable {
    /// Short name for messages: `environment`, `shared files`, `container`, `IMDSv2`.
    var name: String { get }
    /// `.notConfigured` lets the chain go on to the next source; a thrown error stops it,
    /// because a source that is configured but broken should be fixed, not silently skipped.
    func load(deadline: Deadline) async throws -> AWSCredentialsLookup
}

public enum AWSCredentialsLookup: Sendable, Equatable {
    case found(SigV4Credentials)
    /// Why this source had nothing, for the "no credentials" message.
    case notConfigured(String)
}
