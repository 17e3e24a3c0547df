/// `RunInstancesResponse`: one reservation holding the instances just started.
public struct EC2RunInstancesResponse: Sendable, Hashable {
    public var requestID: String?
    public var reservation: EC2Reservation

    public var instances: [EC2Instance] { reservation.instances }

    public init(requestID: String?, reservation: EC2Reservation) {
        self.requestID = requestID
        self.reservation = reservation
    }

    /// Throws `EC2Error` for an error envelope, `AWSResponseError` for anything else.
    public init(xml body: some Collection<UInt8>) throws {
        let root = try EC2Error.successRoot(body, expected: ["RunInstancesResponse"])
        self.init(requestID: root.string("requestId"), reservation: try EC2Reservation(root))
    }
}
