/// The facts about a job that the scaler and providers need, lifted out of the delivery.
public struct JobReference: Sendable, Equatable, Hashable, Codable {
    public var id: Int64
    public var runID: Int64
    public var runAttempt: Int
    /// `owner/name`.
    public var repository: String
    public var owner: String
    public var labels: [String]
    public var installationID: Int64?
    public var enterprise: String?
    public var runnerName: String?
    public var conclusion: String?

    public init(
        id: Int64, runID: Int64, runAttempt: Int = 1, repository: String, owner: String,
        labels: [String], installationID: Int64? = nil, enterprise: String? = nil,
        runnerName: String? = nil, conclusion: String? = nil
    ) {
        self.id = id
        self.runID = runID
        self.runAttempt = runAttempt
        self.repository = repository
        self.owner = owner
        self.labels = labels
        self.installationID = installationID
        self.enterprise = enterprise
        self.runnerName = runnerName
        self.conclusion = conclusion
    }

    public init(_ event: WorkflowJobEvent) {
        let runner = event.workflowJob.runnerName.flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            id: event.workflowJob.id, runID: event.workflowJob.runID,
            runAttempt: event.workflowJob.runAttempt ?? 1,
            repository: event.repository.fullName, owner: event.repository.owner.login,
            labels: event.workflowJob.labels, installationID: event.installation?.id,
            enterprise: event.enterprise?.slug, runnerName: runner,
            conclusion: event.workflowJob.conclusion)
    }
}
