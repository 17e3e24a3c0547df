/// Why no usable AWS credentials could be found. Messages name the variable or file to fix
/// and never contain a key, secret or token.
public enum AWSCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every source of the chain was tried; `tried` says what each one lacked.
    case noCredentials(tried: [String])
    /// Half a key pair, in the environment or a profile.
    case partial(source: String, missing: String)
    /// `AWS_PROFILE` names a profile neither file has.
    case profileNotFound(profile: String, files: [String])
    case unreadableFile(path: String, reason: String)
    /// A container or instance metadata endpoint that is set up but misbehaves.
    case endpointFailed(source: String, reason: String)
    /// The container credentials URI is not one AWS SDKs would call.
    case disallowedEndpoint(source: String, url: String, why: String)

    public var description: String {
        switch self {
        case let .noCredentials(tried):
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a profile in "
                + "~/.aws/credentials (AWS_PROFILE), or run with a task/instance role. Tried: "
                + tried.joined(separator: "; ")
        case let .partial(source, missing):
            "incomplete AWS credentials in \(source): \(missing) is missing"
        case let .profileNotFound(profile, files):
            "AWS profile \(profile) (AWS_PROFILE) is in none of \(files.joined(separator: ", "))"
        case let .unreadableFile(path, reason):
            "cannot read \(path): \(reason)"
        case let .endpointFailed(source, reason):
            "\(source) credentials endpoint failed: \(reason)"
        case let .disallowedEndpoint(source, url, why):
            "\(source) credentials URI \(url) is not allowed: \(why)"
        }
    }
}
