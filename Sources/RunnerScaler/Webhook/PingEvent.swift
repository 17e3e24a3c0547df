/// GitHub's `ping`, sent when a webhook is created. Acknowledged, never acted on.
public struct PingEvent: Decodable, Sendable, Equatable {
    public var zen: String?
    public var hookID: Int64?
    public var hook: Hook?

    public struct Hook: Decodable, Sendable, Equatable {
        public var type: String?
        public var appID: Int64?
        public var events: [String]?

        enum CodingKeys: String, CodingKey {
            case type, events
            case appID = "app_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case zen, hook
        case hookID = "hook_id"
    }
}
