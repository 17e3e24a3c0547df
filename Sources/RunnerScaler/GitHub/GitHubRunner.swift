/// A self-hosted runner as GitHub lists it.
public struct GitHubRunner: Decodable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var os: String?
    /// `online` or `offline`.
    public var status: String
    public var busy: Bool
    public var labels: [Label]
    public var runnerGroupID: Int64?

    public struct Label: Decodable, Sendable, Equatable {
        public var id: Int64?
        public var name: String
        public var type: String?
    }

    public var isOnline: Bool { status == "online" }

    public init(id: Int64, name: String, status: String = "offline", busy: Bool = false, labels: [String] = []) {
        self.id = id
        self.name = name
        self.status = status
        self.busy = busy
        self.labels = labels.map { Label(id: nil, name: $0, type: nil) }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, os, status, busy, labels
        case runnerGroupID = "runner_group_id"
    }
}
