import Foundation
import Logging
import RunnerScaler

/// The one place every long-running edge (`lambda`, `serve`) gets its handler and sweep from,
/// so the two deploy modes cannot drift apart. It resolves secrets (`file:`, `aws-sm:`,
/// `aws-ssm:`) once, so call it once at startup (once per Lambda cold start), never per
/// event. Throws `ConfigError` for configuration a user must fix.
func makeRuntime(
    environment: [String: String], dryRun: Bool, logger: Logger
) async throws -> (handler: WebhookHandler, sweep: @Sendable (Deadline) async throws -> String) {
    let runtime = try await ScalerRuntime.start(environment: environment, dryRun: dryRun ? true : nil, logger: logger)
    let sweeper = runtime.sweeper
    let dry = runtime.dryRun
    let sweep: @Sendable (Deadline) async throws -> String = { deadline in
        await sweeper.sweep(dryRun: dry, deadline: deadline).description
    }
    return (runtime.handler, sweep)
}
