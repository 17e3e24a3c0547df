#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Secrets Manager `GetSecretValue`'s answer. Exactly one of `secretString` and
/// `secretBinary` is normally set; neither is ever printed or dumped.
public struct SecretsManagerGetSecretValueResponse: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var arn: String?
    public var name: String?
    public var versionId: String?
    public var secretString: Secret?
    /// The decoded bytes of `SecretBinary`.
    public var secretBinary: [UInt8]?
    public var versionStages: [String]
    public var createdDate: Date?

    public init(arn: String? = nil, name: String? = nil, versionId: String? = nil, secretString: Secret? = nil,
                secretBinary: [UInt8]? = nil, versionStages: [String] = [], createdDate: Date? = nil) {
        self.arn = arn
        self.name = name
        self.versionId = versionId
        self.secretString = secretString
        self.secretBinary = secretBinary
        self.versionStages = versionStages
        self.createdDate = createdDate
    }

    /// The secret as text: `SecretString`, or `SecretBinary` when it is UTF-8.
    public var secret: Secret? {
        if let secretString { return secretString }
        return secretBinary.flatMap { String(validating: $0, as: UTF8.self) }.map(Secret.init)
    }

    /// Reads a success body; `AWSResponseError` when it is not one.
    public init(json body: some Collection<UInt8>) throws(AWSResponseError) {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch {
            throw .malformedJSON(reason: "GetSecretValue result is not a JSON object of the documented members")
        }
        var binary: [UInt8]?
        if let encoded = wire.SecretBinary {
            guard let data = Data(base64Encoded: encoded) else {
                throw .malformedJSON(reason: "SecretBinary is not base64")
            }
            binary = Array(data)
        }
        self.init(arn: wire.ARN, name: wire.Name, versionId: wire.VersionId, secretString: wire.SecretString.map(Secret.init),
                  secretBinary: binary, versionStages: wire.VersionStages ?? [],
                  createdDate: wire.CreatedDate.map(Date.init(timeIntervalSince1970:)))
    }

    public var description: String {
        "GetSecretValue(\(arn ?? name ?? "?"), version \(versionId ?? "?"), value <redacted>)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["arn": arn as Any, "name": name as Any, "versionId": versionId as Any,
                                "versionStages": versionStages])
    }

    private struct Wire: Decodable {
        var ARN: String?
        var Name: String?
        var VersionId: String?
        var SecretString: String?
        var SecretBinary: String?
        var VersionStages: [String]?
        var CreatedDate: Double?
    }
}
