import Foundation
import Logging
import RunnerScaler

/// The one place every long-running edge (`lambda`, `serve`) gets its handler and sweep from,
/// so the two deploy modes cannot drift apart. It resolves secrets (`file:`, `aws-sm:`,
/// `aws-ssm:`) through `Settings.load`, so call it once at startup (once per Lambda cold
/// start), never per event. Throws `ConfigError` for configuration a user must fix.
func makeRuntime(
    environment: [String: String], dryRun: Bool, logger: Logger
) async throws -> (handler: WebhookHandler, sweep: @Sendable (Deadline) async throws -> String) {
    let settings = try await Settings.load(environment: environment, resolver: StandardSecretResolver())
    let config = settings.config
    let handler = WebhookHandler(
        verifier: SignatureVerifier(secret: settings.webhookSecret),
        scaler: Scaler(config: config) { _ in DryRunProvider() },
        logger: logger)
    // Until the sweeper is wired in here, a sweep only says what it would cover.
    let sweep: @Sendable (Deadline) async throws -> String = { _ in
        "sweep not wired yet: \(config.pools.count) pool(s) left as they are" + (dryRun ? " (dry run)" : "")
    }
    return (handler, sweep)
}
