/// What every edge adapter hands the core: the raw body exactly as received (the HMAC is
/// over these bytes) and the request's headers.
public struct WebhookRequest: Sendable {
    public var headers: HeaderFields
    public var body: [UInt8]

    public init(headers: HeaderFields, body: [UInt8]) {
        self.headers = headers
        self.body = body
    }

    public var deliveryID: String? { headers["X-GitHub-Delivery"] }
    public var eventName: String? { headers["X-GitHub-Event"] }
}
