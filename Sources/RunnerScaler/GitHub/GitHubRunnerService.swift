/// Which installation to act as: known from the webhook payload or config, or to be found
/// for a repository or organization.
public enum InstallationLookup: Sendable, Hashable {
    case id(Int64)
    case repository(owner: String, name: String)
    case organization(String)
}

/// Everything the scaler and the sweeper ask of GitHub. One real implementation
/// (`GitHubAppClient`) and an in-memory double for tests.
public protocol GitHubRunnerService: Sendable {
    func jitConfig(_ request: JITRequest, target: RunnerTarget, installation: InstallationLookup,
                   deadline: Deadline) async throws -> JITConfig
    func registrationToken(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> RegistrationToken
    func removeToken(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> RegistrationToken
    func listRunners(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> [GitHubRunner]
    func findRunner(named name: String, target: RunnerTarget, installation: InstallationLookup,
                    deadline: Deadline) async throws -> GitHubRunner?
    /// True when deleted, false when GitHub no longer had it (404): both leave it gone.
    func deleteRunner(id: Int64, target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> Bool
    /// A job's status (`queued`, `waiting`, `in_progress`, `completed`), nil when GitHub does not know it.
    func jobStatus(repository: String, jobID: Int64, installation: InstallationLookup, deadline: Deadline) async throws -> String?
    /// The id of the runner group named `name` (nil: the default group).
    func runnerGroupID(named name: String?, target: RunnerTarget, installation: InstallationLookup,
                       deadline: Deadline) async throws -> Int64
}
