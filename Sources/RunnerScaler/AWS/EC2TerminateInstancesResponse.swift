/// `TerminateInstancesResponse`. StopInstances and StartInstances answer in the same shape,
/// so their responses are read by this type too.
public struct EC2TerminateInstancesResponse: Sendable, Hashable {
    public var requestID: String?
    public var instances: [EC2InstanceStateChange]

    public init(requestID: String?, instances: [EC2InstanceStateChange]) {
        self.requestID = requestID
        self.instances = instances
    }

    /// Throws `EC2Error` for an error envelope, `AWSResponseError` for anything else.
    public init(xml body: some Collection<UInt8>) throws {
        let root = try EC2Error.successRoot(
            body, expected: ["TerminateInstancesResponse", "StopInstancesResponse", "StartInstancesResponse"])
        var changes: [EC2InstanceStateChange] = []
        for item in root.items("instancesSet") { changes.append(try EC2InstanceStateChange(item)) }
        self.init(requestID: root.string("requestId"), instances: changes)
    }
}
