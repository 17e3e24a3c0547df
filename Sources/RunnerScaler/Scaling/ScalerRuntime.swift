#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Everything a running edge needs, assembled once at startup (once per Lambda cold start)
/// from the environment: secrets resolved, GitHub client, providers, scaler, handler, sweeper.
public struct ScalerRuntime: Sendable {
    public let settings: Settings
    public let handler: WebhookHandler
    public let sweeper: Sweeper
    /// True when nothing external is called: no GitHub, and providers only print.
    public let dryRun: Bool

    /// `dryRun` nil means: dry run exactly when every pool uses the dry-run provider. `now` is
    /// the scaler's and sweeper's clock (tests shift it); JWTs always use the real time.
    /// Throws `ConfigError` (every problem listed) for configuration a user must fix.
    public static func start(environment env: [String: String], dryRun: Bool? = nil, logger: Logger,
                             http: (any HTTPClient)? = nil,
                             now: @escaping @Sendable () -> Date = { Date() }) async throws -> ScalerRuntime {
        let references = try Settings.references(environment: env)
        let http = http ?? CurlHTTPClient(configuration: .from(environment: env))
        let usesAWS = references.webhookSecret.isAWS || (references.appPrivateKey?.isAWS ?? false)
            || references.config.pools.contains { pool in
                if case let .metal(m) = pool.provider { return m.token?.isAWS ?? false }
                if case let .libvirt(l) = pool.provider { return l.privateKey?.isAWS ?? false }
                return false
            }
        let resolver = StandardSecretResolver(aws: usesAWS ? AWSSecretResolver(environment: env, http: http, logger: logger) : nil)
        let settings = try await Settings.load(environment: env, resolver: resolver)
        let config = settings.config
        let dry = dryRun ?? config.isDryRunOnly

        var github: GitHubAppClient?
        if !dry {
            guard let appID = settings.appID, let keyMaterial = settings.appPrivateKey else {
                throw ConfigError([ConfigProblem("GITHUB_APP_ID", "and GITHUB_APP_PRIVATE_KEY are required to call GitHub")])
            }
            let key: RSAPrivateKey
            do { key = try RSAPrivateKey(keyMaterial) } catch {
                throw ConfigError([ConfigProblem("GITHUB_APP_PRIVATE_KEY", "\(error)")])
            }
            github = GitHubAppClient(
                apiURL: settings.apiURL, jwt: AppJWT(identity: AppIdentity(parsing: appID), key: key),
                http: RetryingHTTPClient(base: http, logger: logger), logger: logger)
        }

        var templates: [String: UserDataTemplate] = [:]
        var problems: [ConfigProblem] = []
        for (i, pool) in config.pools.enumerated() {
            guard let path = pool.userDataTemplate else { continue }
            do { templates[pool.name] = try UserDataTemplate.load(path: path) } catch {
                problems.append(ConfigProblem("pools[\(i)].userDataTemplate", "cannot read \(path): \(error.reason)"))
            }
        }
        if !problems.isEmpty { throw ConfigError(problems) }

        let context = ProviderContext(environment: env, http: http, secrets: resolver, logger: logger, dryRun: dry,
                                      managedBy: config.runnerNamePrefix)
        let providers = try await ProviderSet.make(for: config, context: context)
        let scaler = Scaler(config: config, github: github, apiURL: settings.apiURL, templates: templates, now: now,
                            logger: logger) { providers.provider(for: $0) }
        let handler = WebhookHandler(verifier: SignatureVerifier(secret: settings.webhookSecret), scaler: scaler, logger: logger)
        let lookBack = env["RUNNER_SCALER_REDELIVERY_LOOKBACK_SECONDS"].flatMap(Int.init).map { Duration.seconds($0) }
            ?? Sweeper.defaultLookBack
        let sweeper = Sweeper(scaler: scaler, github: github, deliveries: github, lookBack: lookBack, now: now, logger: logger)
        return ScalerRuntime(settings: settings, handler: handler, sweeper: sweeper, dryRun: dry)
    }
}
