import ArgumentParser
import Foundation

@main
struct RunnerScalerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner-scaler",
        abstract: "Ephemeral self-hosted GitHub Actions runners on demand, driven by workflow_job webhooks.",
        discussion: """
            Configuration comes from the environment: GITHUB_WEBHOOK_SECRET (required), GITHUB_APP_ID,
            GITHUB_APP_PRIVATE_KEY, GITHUB_API_URL, and the pools file at CONFIG_PATH (default config.yml)
            or inline in RUNNER_SCALER_CONFIG. Any secret may be a file:/path, aws-sm:<id>[#key] or
            aws-ssm:<name> reference. See config.example.yml and README.md.
            """,
        subcommands: [Replay.self, SignEvents.self, CheckConfig.self]
    )
}
