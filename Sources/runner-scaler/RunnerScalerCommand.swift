import ArgumentParser
import Foundation

@main
struct RunnerScalerCommand: AsyncParsableCommand {
    // Computed so that Lambda, which starts the image's bootstrap with no arguments but with
    // AWS_LAMBDA_RUNTIME_API set, lands in `lambda`.
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "runner-scaler",
        abstract: "Ephemeral self-hosted GitHub Actions runners on demand, driven by workflow_job webhooks.",
        discussion: """
            Configuration comes from the environment: GITHUB_WEBHOOK_SECRET (required), GITHUB_APP_ID,
            GITHUB_APP_PRIVATE_KEY, GITHUB_API_URL, and the pools file at CONFIG_PATH (default config.yml)
            or inline in RUNNER_SCALER_CONFIG. Any secret may be a file:/path, aws-sm:<id>[#key] or
            aws-ssm:<name> reference. See config.example.yml and README.md.
            """,
        subcommands: [Replay.self, Sweep.self, SignEvents.self, CheckConfig.self, LambdaCommand.self, ServeCommand.self],
        defaultSubcommand: runsInLambda ? LambdaCommand.self : nil
    ) }

    private static var runsInLambda: Bool { !(ProcessInfo.processInfo.environment["AWS_LAMBDA_RUNTIME_API"] ?? "").isEmpty }
}
