#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One attempt to deliver a webhook, as `GET /app/hook/deliveries` lists it. Redeliveries
/// share the original's `guid`.
public struct HookDelivery: Decodable, Sendable, Equatable {
    public var id: Int64
    public var guid: String
    public var deliveredAt: String
    public var redelivery: Bool
    public var status: String?
    public var statusCode: Int
    public var event: String
    public var action: String?

    public init(id: Int64, guid: String, deliveredAt: String, redelivery: Bool = false, status: String? = nil,
                statusCode: Int, event: String, action: String? = nil) {
        self.id = id
        self.guid = guid
        self.deliveredAt = deliveredAt
        self.redelivery = redelivery
        self.status = status
        self.statusCode = statusCode
        self.event = event
        self.action = action
    }

    enum CodingKeys: String, CodingKey {
        case id, guid, redelivery, status, event, action
        case deliveredAt = "delivered_at"
        case statusCode = "status_code"
    }

    public var deliveredDate: Date? { UTCTimestamp.parseISO8601(deliveredAt) }
    public var succeeded: Bool { (200..<300).contains(statusCode) }
}

/// The App's webhook delivery log (App JWT), used by the sweeper to redeliver failures:
/// GitHub never retries a failed delivery by itself.
public protocol HookDeliveryService: Sendable {
    /// Deliveries newest first, back to `since`.
    func hookDeliveries(since: Date, deadline: Deadline) async throws -> [HookDelivery]
    func redeliver(deliveryID: Int64, deadline: Deadline) async throws
    /// The JSON payload GitHub sent in that delivery, if it still has it.
    func hookDeliveryPayload(deliveryID: Int64, deadline: Deadline) async throws -> [UInt8]?
}
