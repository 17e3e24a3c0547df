import ArgumentParser
import Foundation
import Logging
import RunnerScaler

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Pools file (overrides CONFIG_PATH; default config.yml).")
    var config: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: LOG_LEVEL or info).")
    var logLevel: String?

    /// The process environment with `--config` applied.
    func environment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        if let config {
            env["CONFIG_PATH"] = config
            env["RUNNER_SCALER_CONFIG"] = nil
        }
        return env
    }

    func level(_ env: [String: String]) throws -> Logger.Level {
        let raw = logLevel ?? env["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            throw ValidationError("unknown log level \(raw); use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}

/// Startup failures print every problem and exit 78 (EX_CONFIG).
func loadSettings(_ env: [String: String]) async throws -> Settings {
    do {
        return try await Settings.load(environment: env, resolver: StandardSecretResolver())
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("runner-scaler: \(error)\n".utf8))
        throw ExitCode(78)
    }
}

func bootstrapLogging(level: Logger.Level, fileDescriptor: Int32) {
    LoggingSystem.bootstrap { label in
        JSONLogHandler.standardOutput(label: label, level: level, fileDescriptor: fileDescriptor)
    }
}
