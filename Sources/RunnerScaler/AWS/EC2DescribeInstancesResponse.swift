/// One page of `DescribeInstancesResponse`.
public struct EC2DescribeInstancesResponse: Sendable, Hashable {
    public var requestID: String?
    public var reservations: [EC2Reservation]
    /// Present when there is another page to fetch.
    public var nextToken: String?

    /// Every instance of every reservation, in order.
    public var instances: [EC2Instance] { reservations.flatMap(\.instances) }

    public init(requestID: String?, reservations: [EC2Reservation], nextToken: String?) {
        self.requestID = requestID
        self.reservations = reservations
        self.nextToken = nextToken
    }

    /// Throws `EC2Error` for an error envelope, `AWSResponseError` for anything else.
    public init(xml body: some Collection<UInt8>) throws {
        let root = try EC2Error.successRoot(body, expected: ["DescribeInstancesResponse"])
        var reservations: [EC2Reservation] = []
        for item in root.items("reservationSet") { reservations.append(try EC2Reservation(item)) }
        let token = root.string("nextToken")
        self.init(requestID: root.string("requestId"), reservations: reservations,
                  nextToken: token?.isEmpty == false ? token : nil)
    }
}
