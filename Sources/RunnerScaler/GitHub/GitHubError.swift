/// Failures of the GitHub client that are not plain HTTP statuses.
public enum GitHubError: Error, Sendable, Equatable, CustomStringConvertible {
    case noInstallation(String)
    case runnerGroupNotFound(name: String, target: String)
    case invalidResponse(path: String, detail: String)
    case appCredentialsMissing

    public var description: String {
        switch self {
        case let .noInstallation(what):
            "the GitHub App is not installed on \(what) (or cannot see it); install it there or set installationId on the pool"
        case let .runnerGroupNotFound(name, target):
            "runner group \(name) does not exist in \(target); create it or fix runnerGroup in the pool"
        case let .invalidResponse(path, detail): "unexpected response from \(path): \(detail)"
        case .appCredentialsMissing: "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are required to call GitHub"
        }
    }
}
