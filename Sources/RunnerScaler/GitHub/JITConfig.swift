/// A single-use just-in-time runner configuration: the runner registers with it once and
/// then it is worthless, which is why it may travel in user data.
public struct JITConfig: Sendable {
    public var runner: GitHubRunner
    public var encodedConfig: Secret

    public init(runner: GitHubRunner, encodedConfig: Secret) {
        self.runner = runner
        self.encodedConfig = encodedConfig
    }
}

/// What a new JIT runner is registered as.
public struct JITRequest: Sendable, Equatable {
    public var name: String
    public var labels: [String]
    public var runnerGroupID: Int64
    public var workFolder: String

    public init(name: String, labels: [String], runnerGroupID: Int64, workFolder: String = "_work") {
        self.name = name
        self.labels = labels
        self.runnerGroupID = runnerGroupID
        self.workFolder = workFolder
    }
}
