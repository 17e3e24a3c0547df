/// A verified, decoded delivery.
public enum Delivery: Sendable, Equatable {
    case workflowJob(WorkflowJobEvent)
    case ping(PingEvent)
    /// Any other event: acknowledged and ignored.
    case other(event: String, action: String?)

    public var eventName: String {
        switch self {
        case .workflowJob: "workflow_job"
        case .ping: "ping"
        case let .other(event, _): event
        }
    }

    public var action: String? {
        switch self {
        case let .workflowJob(e): e.action.rawValue
        case .ping: nil
        case let .other(_, action): action
        }
    }
}
