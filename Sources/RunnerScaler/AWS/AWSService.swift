/// An AWS service as the signer and endpoint resolution see it.
public struct AWSService: Sendable, Hashable, CustomStringConvertible {
    /// The SigV4 signing name.
    public var signingName: String
    /// The first label of the regional endpoint host, `ec2` in `ec2.us-east-1.amazonaws.com`.
    public var endpointPrefix: String
    /// The suffix of its endpoint override variable: `AWS_ENDPOINT_URL_<suffix>`, the SDKs'
    /// service ID upper-cased with spaces as underscores.
    public var environmentSuffix: String
    /// A global service (IAM) has one endpoint and signs for this region.
    public var globalRegion: String?

    public init(signingName: String, endpointPrefix: String, environmentSuffix: String, globalRegion: String? = nil) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.environmentSuffix = environmentSuffix
        self.globalRegion = globalRegion
    }

    public static let ec2 = AWSService(signingName: "ec2", endpointPrefix: "ec2", environmentSuffix: "EC2")
    public static let ssm = AWSService(signingName: "ssm", endpointPrefix: "ssm", environmentSuffix: "SSM")
    public static let secretsManager = AWSService(signingName: "secretsmanager", endpointPrefix: "secretsmanager",
                                                  environmentSuffix: "SECRETS_MANAGER")
    public static let iam = AWSService(signingName: "iam", endpointPrefix: "iam", environmentSuffix: "IAM",
                                       globalRegion: "us-east-1")

    public var description: String { signingName }
}
