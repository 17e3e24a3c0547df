/// What the scaler did (or, in a dry run, would do) for one decision.
public struct ScalerReport: Sendable, Equatable {
    public enum Result: String, Sendable {
        case launched, alreadyRunning = "already-running", terminated, nothingToDo = "nothing-to-do"
        case planned, deferred
    }

    public var result: Result
    public var detail: String
    public var hosts: [String]

    public init(_ result: Result, _ detail: String, hosts: [String] = []) {
        self.result = result
        self.detail = detail
        self.hosts = hosts
    }
}

/// A decision that could not be carried out; the delivery is answered with 5xx so GitHub
/// records it as failed and the sweeper's redelivery picks it up.
public struct ScalerError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(status: Int = 502, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
