/// Secrets Manager `GetSecretValue`.
public struct SecretsManagerGetSecretValueRequest: AWSJSONOperation, Hashable {
    public static let target = "secretsmanager.GetSecretValue"

    /// The regional endpoint's host, `secretsmanager.<region>.amazonaws.com`.
    public static func host(region: String) -> String { "secretsmanager.\(region).amazonaws.com" }

    /// The secret's name or ARN.
    public var secretId: String
    public var versionId: String?
    /// `AWSCURRENT` when neither this nor `versionId` is given.
    public var versionStage: String?

    public init(secretId: String, versionId: String? = nil, versionStage: String? = nil) {
        self.secretId = secretId
        self.versionId = versionId
        self.versionStage = versionStage
    }

    public var jsonMembers: [(name: String, value: AWSJSONRequest.Value)] {
        var members: [(name: String, value: AWSJSONRequest.Value)] = [("SecretId", .string(secretId))]
        if let versionId { members.append(("VersionId", .string(versionId))) }
        if let versionStage { members.append(("VersionStage", .string(versionStage))) }
        return members
    }
}
