#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON document both the container credentials endpoint and IMDS answer with:
/// `{"AccessKeyId": …, "SecretAccessKey": …, "Token": …, "Expiration": "2026-01-01T00:00:00Z"}`
/// (IMDS adds `"Code": "Success"`).
enum AWSTemporaryCredentialsDocument {
    static func parse(_ body: [UInt8], source: String) throws(AWSCredentialsError) -> SigV4Credentials {
        guard let object = JSONReader.object(body) else {
            throw .endpointFailed(source: source, reason: "the answer is not a JSON object")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw .endpointFailed(source: source, reason: "Code is \(code), not Success")
        }
        guard let key = object["AccessKeyId"] as? String, !key.isEmpty,
              let secret = object["SecretAccessKey"] as? String, !secret.isEmpty
        else {
            throw .endpointFailed(source: source, reason: "the answer lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let text = object["Expiration"] as? String {
            guard let date = UTCTimestamp.parseISO8601(text) else {
                throw .endpointFailed(source: source, reason: "Expiration \(text) is not an ISO 8601 time")
            }
            expiration = date
        }
        let token = (object["Token"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return SigV4Credentials(accessKeyID: key, secretAccessKey: Secret(secret),
                                sessionToken: token.map(Secret.init), expiration: expiration)
    }
}
