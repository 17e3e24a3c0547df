/// The first link of the chain: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for
/// temporary credentials (Lambda's execution role), `AWS_SESSION_TOKEN`.
public struct AWSEnvironmentCredentials: AWSCredentialsSource {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public var name: String { "environment" }

    public func load(deadline: Deadline) async throws -> AWSCredentialsLookup {
        let key = environment.nonEmpty("AWS_ACCESS_KEY_ID")
        let secret = environment.nonEmpty("AWS_SECRET_ACCESS_KEY")
        switch (key, secret) {
        case (nil, nil):
            return .notConfigured("environment: AWS_ACCESS_KEY_ID is not set")
        case (nil, _):
            throw AWSCredentialsError.partial(source: "the environment", missing: "AWS_ACCESS_KEY_ID")
        case (_, nil):
            throw AWSCredentialsError.partial(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")
        case let (key?, secret?):
            // AWS_SECURITY_TOKEN is the older name some tools still set.
            let token = environment.nonEmpty("AWS_SESSION_TOKEN") ?? environment.nonEmpty("AWS_SECURITY_TOKEN")
            return .found(SigV4Credentials(accessKeyID: key, secretAccessKey: Secret(secret),
                                           sessionToken: token.map(Secret.init)))
        }
    }
}

extension [String: String] {
    /// The variable's value, treating an empty one as unset (as the AWS SDKs do).
    func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }
}
