/// One Metal API request, described without its credentials, so the same value is sent by the
/// client and printed as a dry-run plan.
public struct MetalCall: Sendable, Equatable {
    public var method: String
    /// Absolute URL, query included.
    public var url: String
    /// The path with ids as placeholders (`/projects/{id}/devices`): what errors and logs quote.
    public var template: String
    /// The JSON body as sent; empty when there is none.
    public var body: [UInt8]
    /// The body as a plan may show it: the user data replaced by its size.
    public var redactedBody: String?

    public init(method: String, url: String, template: String, body: [UInt8] = [], redactedBody: String? = nil) {
        self.method = method
        self.url = url
        self.template = template
        self.body = body
        self.redactedBody = redactedBody
    }

    /// `POST /projects/{id}/devices`.
    public var summary: String { "\(method) \(template)" }

    /// `POST https://.../devices {"hostname":...}`: the exact request, minus the token header and
    /// the user data (which carries a single-use runner registration).
    public var plan: String { "\(method) \(url)" + (redactedBody.map { " \($0)" } ?? "") }
}
