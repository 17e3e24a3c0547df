/// The second link of the chain: static keys of the selected profile in the shared
/// credentials or config file.
public struct AWSSharedFileCredentials: AWSCredentialsSource {
    public let files: AWSSharedConfigFiles

    public init(files: AWSSharedConfigFiles) { self.files = files }

    public init(environment: [String: String]) { self.init(files: AWSSharedConfigFiles(environment: environment)) }

    public var name: String { "shared files" }

    public func load(deadline: Deadline) async throws -> AWSCredentialsLookup {
        guard let settings = try files.profileSettings() else {
            return .notConfigured("shared files: no [\(files.profile)] profile in \(files.credentialsPath) or \(files.configPath)")
        }
        let key = settings["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = settings["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
        let source = "profile \(files.profile)"
        switch (key, secret) {
        case (nil, nil):
            // Role assumption, SSO and credential_process need more than a signer; say so
            // rather than pretend the profile is empty.
            let unsupported = ["role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"]
                .filter { settings[$0] != nil }
            let why = unsupported.isEmpty ? "has no aws_access_key_id"
                : "uses \(unsupported.joined(separator: ", ")), which runner-scaler does not support"
            return .notConfigured("shared files: profile \(files.profile) \(why)")
        case (nil, _):
            throw AWSCredentialsError.partial(source: source, missing: "aws_access_key_id")
        case (_, nil):
            throw AWSCredentialsError.partial(source: source, missing: "aws_secret_access_key")
        case let (key?, secret?):
            let token = (settings["aws_session_token"] ?? settings["aws_security_token"]).flatMap { $0.isEmpty ? nil : $0 }
            return .found(SigV4Credentials(accessKeyID: key, secretAccessKey: Secret(secret),
                                           sessionToken: token.map(Secret.init)))
        }
    }
}
