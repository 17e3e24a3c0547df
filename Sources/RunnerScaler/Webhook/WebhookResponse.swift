import Foundation

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
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return WebhookResponse(status: status, body: String(decoding: data, as: UTF8.self))
    }
}
