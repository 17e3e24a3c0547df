import Foundation
import RunnerScaler

/// Re-signs fixture events (Function URL / API Gateway / raw shape) so they stay valid after
/// an edit. The file name says which fixtures must stay wrong on purpose.
enum FixtureSigner {
    /// The re-signed event, or nil when it is not an HTTP event (a scheduled event has no body).
    static func resign(event: [UInt8], fileName: String, secret: Secret) throws -> [UInt8]? {
        guard var map = try JSONSerialization.jsonObject(with: Data(event)) as? [String: Any],
              let bodyText = map["body"] as? String,
              var headers = map["headers"] as? [String: Any]
        else { return nil }
        let body: [UInt8]
        if (map["isBase64Encoded"] as? Bool) == true, let data = Data(base64Encoded: bodyText) {
            body = Array(data)
        } else {
            body = Array(bodyText.utf8)
        }
        for key in headers.keys where ["x-hub-signature", "x-hub-signature-256"].contains(key.lowercased()) {
            headers[key] = nil
        }
        // Function URLs and API Gateway v2 lower-case header names; keep that convention.
        let sha256Key = "x-hub-signature-256", sha1Key = "x-hub-signature"
        if fileName.contains("unsigned") {
            // no signature at all
        } else if fileName.contains("sha1-only") {
            headers[sha1Key] = "sha1=" + Hex.encode(HMAC.authenticationCode(.sha1, key: secret.utf8Bytes, message: body))
        } else {
            let signing = fileName.contains("bad-signature") ? Secret(secret.exposedValue + "-but-wrong") : secret
            headers[sha256Key] = SignatureVerifier.signatureHeader(body: body, secret: signing)
            headers[sha1Key] = "sha1=" + Hex.encode(HMAC.authenticationCode(.sha1, key: signing.utf8Bytes, message: body))
        }
        map["headers"] = headers
        var out = Array(try JSONSerialization.data(withJSONObject: map, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
        out.append(UInt8(ascii: "\n"))
        return out
    }
}
