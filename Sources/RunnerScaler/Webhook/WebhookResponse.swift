#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the core hands back to the edge: an HTTP status and a small JSON body.
public struct WebhookResponse: Sendable, Equatable {
    public var status: Int
    public var body: String
    public var contentType: String { "application/json" }

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    /// `{"message": ...}` plus optional string fields, serialised with sorted keys.
    public static func json(status: Int, message: String, extra: [String: String] = [:]) -> WebhookResponse {
        var object = extra
        object["message"] = message
        // The JSON that JSONSerialization wrote with .sortedKeys (slashes escaped, keys in
        // order), at a fraction of the cost; see JSONText.
        return WebhookResponse(status: status, body: JSONText.object(object, escapingSlashes: true))
    }
}
