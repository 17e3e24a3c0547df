/// The instances one `RunInstances` call started, as `DescribeInstances` groups them.
public struct EC2Reservation: Sendable, Hashable {
    public var reservationId: String
    public var ownerId: String?
    public var instances: [EC2Instance]

    public init(reservationId: String, ownerId: String? = nil, instances: [EC2Instance]) {
        self.reservationId = reservationId
        self.ownerId = ownerId
        self.instances = instances
    }

    init(_ element: AWSXMLElement) throws(AWSResponseError) {
        guard let id = element.string("reservationId") else { throw .missingElement("reservationId") }
        self.init(reservationId: id, ownerId: element.string("ownerId"),
                  instances: try EC2Instance.list(element.items("instancesSet")))
    }
}
