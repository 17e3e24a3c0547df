/// AWS's default credentials order: environment, shared files, container endpoint, instance
/// metadata. The first source that has credentials wins; a source that is set up but broken
/// stops the search with its error, as in the AWS SDKs.
public struct AWSCredentialsChain: AWSCredentialsProviding {
    public let sources: [any AWSCredentialsSource]

    public init(sources: [any AWSCredentialsSource]) { self.sources = sources }

    /// The standard order, reading only `environment` (never the process's own).
    public static func standard(environment: [String: String], http: any HTTPClient) -> AWSCredentialsChain {
        AWSCredentialsChain(sources: [
            AWSEnvironmentCredentials(environment: environment),
            AWSSharedFileCredentials(environment: environment),
            AWSContainerCredentials(environment: environment, http: http),
            AWSInstanceMetadataCredentials(environment: environment, http: http),
        ])
    }

    public func credentials(deadline: Deadline) async throws -> SigV4Credentials {
        try await resolve(deadline: deadline).credentials
    }

    /// The credentials and the name of the source that had them.
    public func resolve(deadline: Deadline) async throws -> (credentials: SigV4Credentials, source: String) {
        var tried: [String] = []
        for source in sources {
            switch try await source.load(deadline: deadline) {
            case let .found(credentials): return (credentials, source.name)
            case let .notConfigured(reason): tried.append(reason)
            }
        }
        throw AWSCredentialsError.noCredentials(tried: tried)
    }
}
