import ArgumentParser
import Foundation
import Logging
import Metrics
import RunnerScaler

struct LambdaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda",
        abstract: "Run as an AWS Lambda custom runtime (the default when AWS_LAMBDA_RUNTIME_API is set).",
        discussion: """
            Serves Function URL, API Gateway (payload 1.0 and 2.0) and EventBridge scheduled events through
            the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, which Lambda sets. HTTP events are answered in
            their own response shape; scheduled events run the sweep. Secrets are resolved once, at cold
            start. A configuration problem is reported to Lambda as an init error (errorType
            RunnerScaler.ConfigError) and the process exits 78. Logs are JSON lines on stdout; metrics are
            CloudWatch Embedded Metric Format lines (namespace RunnerScaler), one per invocation.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Runtime API host:port (default: AWS_LAMBDA_RUNTIME_API).")
    var runtimeAPI: String?

    @Flag(name: .long, help: "Plan provider actions without performing them.")
    var dryRun = false

    func run() async throws {
        var env = common.environment()
        if let runtimeAPI { env["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI }
        guard !(env["AWS_LAMBDA_RUNTIME_API"] ?? "").isEmpty else { throw ValidationError(LambdaProcess.noRuntimeAPI) }
        let status = await LambdaProcess.run(environment: env, options: .init(dryRun: dryRun, logLevel: common.logLevel))
        throw ExitCode(status)
    }
}
