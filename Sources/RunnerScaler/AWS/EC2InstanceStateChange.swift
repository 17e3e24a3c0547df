/// One instance's transition in a `TerminateInstances` (or Stop/Start) answer.
public struct EC2InstanceStateChange: Sendable, Hashable {
    public var instanceId: String
    public var currentState: EC2InstanceState
    public var previousState: EC2InstanceState

    public init(instanceId: String, currentState: EC2InstanceState, previousState: EC2InstanceState) {
        self.instanceId = instanceId
        self.currentState = currentState
        self.previousState = previousState
    }

    init(_ item: AWSXMLElement) throws(AWSResponseError) {
        guard let id = item.string("instanceId") else { throw .missingElement("instanceId") }
        guard let current = EC2InstanceState(item.child("currentState")) else { throw .missingElement("currentState") }
        guard let previous = EC2InstanceState(item.child("previousState")) else { throw .missingElement("previousState") }
        self.init(instanceId: id, currentState: current, previousState: previous)
    }
}
