/// SSM Parameter Store `GetParameter`.
public struct SSMGetParameterRequest: AWSJSONOperation, Hashable {
    public static let target = "AmazonSSM.GetParameter"

    /// The regional endpoint's host, `ssm.<region>.amazonaws.com`.
    public static func host(region: String) -> String { "ssm.\(region).amazonaws.com" }

    /// A name (`/app/key`), optionally with `:version` or `:label`, or an ARN.
    public var name: String
    /// Decrypt `SecureString` values; needed for anything secret.
    public var withDecryption: Bool?

    public init(name: String, withDecryption: Bool? = true) {
        self.name = name
        self.withDecryption = withDecryption
    }

    public var jsonMembers: [(name: String, value: AWSJSONRequest.Value)] {
        [("Name", .string(name))] + (withDecryption.map { [("WithDecryption", .bool($0))] } ?? [])
    }
}
