import ArgumentParser
import Foundation
import RunnerScaler

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the environment and pools file, print a summary, and exit (78 on any problem)."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await loadSettings(common.environment())
        print("configuration OK: \(settings.config.pools.count) pool(s), GitHub API \(settings.apiURL)")
        for pool in settings.config.pools {
            print("  \(pool.name): provider \(pool.provider.kind), labels [\(pool.labels.joined(separator: ", "))], scope \(pool.scope.name), maxRunners \(pool.maxRunners)")
        }
    }
}
