#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the handler needs at startup: secrets from the environment plus the pools file.
public struct Settings: Sendable {
    public static let defaultAPIURL = "https://api.github.com"

    public var webhookSecret: Secret
    public var appID: String?
    public var appPrivateKey: Secret?
    public var apiURL: String
    public var config: ScalerConfig

    public init(webhookSecret: Secret, appID: String? = nil, appPrivateKey: Secret? = nil,
                apiURL: String = Settings.defaultAPIURL, config: ScalerConfig) {
        self.webhookSecret = webhookSecret
        self.appID = appID
        self.appPrivateKey = appPrivateKey
        self.apiURL = apiURL
        self.config = config
    }

    /// Validated references, before any secret is fetched.
    public struct References: Sendable {
        public var webhookSecret: SecretReference
        public var appID: String?
        public var appPrivateKey: SecretReference?
        public var apiURL: String
        public var config: ScalerConfig
    }

    /// Checks the environment and the pools file together and reports every problem at once.
    public static func references(environment env: [String: String]) throws(ConfigError) -> References {
        var problems: [ConfigProblem] = []
        var config: ScalerConfig?
        do { config = try ConfigLoader.load(environment: env) } catch { problems += error.problems }

        var secretRef: SecretReference?
        if let raw = env["GITHUB_WEBHOOK_SECRET"], !raw.isEmpty {
            let ref = SecretReference(parsing: raw)
            if let why = ref.syntaxProblem { problems.append(ConfigProblem("GITHUB_WEBHOOK_SECRET", why)) } else { secretRef = ref }
        } else {
            problems.append(ConfigProblem("GITHUB_WEBHOOK_SECRET",
                "is not set; set it to your GitHub App's webhook secret (or a file:, aws-sm: or aws-ssm: reference). An empty secret is never accepted."))
        }

        let appID = env["GITHUB_APP_ID"].flatMap { $0.isEmpty ? nil : $0 }
        var keyRef: SecretReference?
        if let raw = env["GITHUB_APP_PRIVATE_KEY"], !raw.isEmpty {
            let ref = SecretReference(parsing: raw)
            if let why = ref.syntaxProblem { problems.append(ConfigProblem("GITHUB_APP_PRIVATE_KEY", why)) } else { keyRef = ref }
        }
        if let config, !config.isDryRunOnly {
            if appID == nil {
                problems.append(ConfigProblem("GITHUB_APP_ID",
                    "is not set; a pool uses a real provider, which needs the GitHub App's ID or client ID"))
            }
            if env["GITHUB_APP_PRIVATE_KEY"].map({ $0.isEmpty }) ?? true {
                problems.append(ConfigProblem("GITHUB_APP_PRIVATE_KEY",
                    "is not set; a pool uses a real provider, which needs the App's private key (PEM, base64 PEM or a reference)"))
            }
        }

        let apiURL = env["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultAPIURL
        if let url = URL(string: apiURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil {
        } else {
            problems.append(ConfigProblem("GITHUB_API_URL", "must be an http(s) URL such as https://api.github.com or https://ghes.example.com/api/v3, got \(apiURL)"))
        }

        guard problems.isEmpty, let config, let secretRef else { throw ConfigError(problems) }
        return References(webhookSecret: secretRef, appID: appID, appPrivateKey: keyRef,
                          apiURL: apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL, config: config)
    }

    /// Validates, then resolves every secret reference once.
    public static func load(environment: [String: String], resolver: any SecretResolving) async throws -> Settings {
        let refs = try references(environment: environment)
        var problems: [ConfigProblem] = []
        var secret: Secret?
        do { secret = try await resolver.resolve(refs.webhookSecret) } catch {
            problems.append(ConfigProblem("GITHUB_WEBHOOK_SECRET", "\(error)"))
        }
        var key: Secret?
        if let keyRef = refs.appPrivateKey {
            do { key = try await resolver.resolve(keyRef) } catch {
                problems.append(ConfigProblem("GITHUB_APP_PRIVATE_KEY", "\(error)"))
            }
        }
        guard problems.isEmpty, let secret else { throw ConfigError(problems) }
        return Settings(webhookSecret: secret, appID: refs.appID, appPrivateKey: key,
                        apiURL: refs.apiURL, config: refs.config)
    }
}
