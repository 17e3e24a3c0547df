/// `TerminateInstances` for one or more instance IDs.
public struct EC2TerminateInstancesRequest: EC2QueryRequest, Equatable {
    public static let action = "TerminateInstances"

    public var instanceIds: [String]
    public var dryRun: Bool

    public init(instanceIds: [String], dryRun: Bool = false) {
        self.instanceIds = instanceIds
        self.dryRun = dryRun
    }

    public var queryParameters: [(String, String)] {
        instanceIds.enumerated().map { i, id in ("InstanceId.\(i + 1)", id) }
            + (dryRun ? [("DryRun", "true")] : [])
    }
}
