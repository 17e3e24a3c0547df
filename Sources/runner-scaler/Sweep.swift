import ArgumentParser
import Foundation
import Logging
import RunnerScaler

struct Sweep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconcile hosts with GitHub's runners once, and redeliver failed webhook deliveries.",
        discussion: """
            Per pool: terminates hosts past maxLifetimeSeconds, hosts whose runner never registered or is
            offline after bootTimeoutSeconds, and hosts whose runner sat idle past it; deletes offline runners
            of ours that have no host; launches warm runners up to minIdle. Then asks GitHub to redeliver each
            workflow_job delivery of the last RUNNER_SCALER_REDELIVERY_LOOKBACK_SECONDS (default 3600) whose
            latest attempt failed. The scheduled Lambda event runs the same sweep.
            """
    )

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "Print the plan; change nothing.")
    var dryRun = false

    func run() async throws {
        let env = common.environment()
        bootstrapLogging(level: try common.level(env), fileDescriptor: 2)
        let runtime = try await startRuntime(env, dryRun: dryRun ? true : nil)
        let report = await runtime.sweeper.sweep(dryRun: dryRun || runtime.dryRun)
        for line in report.lines { print(line) }
        for error in report.errors { print("error: \(error)") }
        print("sweep: \(report)")
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}

/// Startup with every configuration problem printed and exit status 78 (EX_CONFIG).
func startRuntime(_ env: [String: String], dryRun: Bool?) async throws -> ScalerRuntime {
    do {
        return try await ScalerRuntime.start(environment: env, dryRun: dryRun, logger: Logger(label: "runner-scaler"))
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("runner-scaler: \(error)\n".utf8))
        throw ExitCode(78)
    } catch let error as ProviderUnavailable {
        FileHandle.standardError.write(Data("runner-scaler: \(error)\n".utf8))
        throw ExitCode(78)
    }
}
