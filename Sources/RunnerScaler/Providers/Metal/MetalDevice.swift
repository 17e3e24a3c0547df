#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of the spec's `Device` the scaler reads. Everything is optional on the wire so a
/// sparse device (an `exclude`d or partial answer) still decodes; `id` alone is required.
public struct MetalDevice: Sendable, Equatable, Decodable {
    public var id: String
    public var hostname: String?
    public var state: String?
    public var tags: [String]
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case id, hostname, state, tags
        case createdAt = "created_at"
    }

    public init(id: String, hostname: String?, state: String?, tags: [String], createdAt: String?) {
        self.id = id
        self.hostname = hostname
        self.state = state
        self.tags = tags
        self.createdAt = createdAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        state = try c.decodeIfPresent(String.self, forKey: .state)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
    }

    public var isGone: Bool { MetalDeviceState.isGone(state) }

    public func tagValue(_ key: String) -> String? { MetalTags.value(of: key, in: tags) }

    /// True when our tags say this device belongs to `pool` of the scaler marked `managedBy`.
    public func isOurs(pool: String, managedBy: String) -> Bool {
        tagValue(HostTags.managedBy) == managedBy && tagValue(HostTags.pool) == pool
    }

    /// The device as the scaler sees it: the hostname is the runner name, the tags carry the
    /// pool and job.
    public func host(defaultPool: String) -> RunnerHost {
        RunnerHost(id: id, runnerName: hostname ?? "", pool: tagValue(HostTags.pool) ?? defaultPool,
                   jobID: tagValue(HostTags.jobID).flatMap { Int64($0) }, state: MetalDeviceState.hostState(state),
                   launchedAt: createdAt.flatMap(UTCTimestamp.parseISO8601), repository: tagValue(HostTags.repository))
    }
}
