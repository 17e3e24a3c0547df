import Foundation
import Testing
@testable import RunnerScaler

/// The image's bootstrap (`runner-scaler-lambda`) runs only the Lambda loop; everything else
/// it hands to the full CLI beside it. Its Lambda loop is covered by `LambdaEmulatorTests`.
@Suite("The Lambda bootstrap hands every other use to the full CLI")
struct LambdaBootstrapTests {
    static let debug = Conformance.repoRoot.appendingPathComponent(".build/debug")
    static let bootstrap = debug.appendingPathComponent("runner-scaler-lambda").path
    static let cli = debug.appendingPathComponent("runner-scaler").path

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["AWS_LAMBDA_RUNTIME_API"] = nil
        env["RUNNER_SCALER_CLI"] = nil
        return env
    }

    @Test("Arguments go to the runner-scaler next to it: --help is the CLI's")
    func argumentsGoToTheCLI() throws {
        let viaBootstrap = try ChildProcess.capture(Self.bootstrap, ["--help"], environment: environment)
        let direct = try ChildProcess.capture(Self.cli, ["--help"], environment: environment)
        #expect(viaBootstrap.status == 0)
        #expect(viaBootstrap.output.contains("USAGE: runner-scaler"))
        #expect(viaBootstrap.output == direct.output)
        // A subcommand and its exit status come through unchanged.
        let badConfig = try ChildProcess.capture(Self.bootstrap, ["check-config", "--config", "/nonexistent/pools.yml"],
                                                 environment: environment)
        let badDirect = try ChildProcess.capture(Self.cli, ["check-config", "--config", "/nonexistent/pools.yml"],
                                                 environment: environment)
        #expect(badConfig.status == badDirect.status)
        #expect(badConfig.status != 0)
    }

    @Test("Found through PATH from another directory, it still finds the CLI beside it")
    func foundThroughPath() throws {
        var env = environment
        env["PATH"] = Self.debug.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        let result = try ChildProcess.capture("/bin/sh", ["-c", "cd / && runner-scaler-lambda --help"], environment: env)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("USAGE: runner-scaler"))
    }

    @Test("Without AWS_LAMBDA_RUNTIME_API and without arguments it is the CLI too, not a hung runtime")
    func noRuntimeAPIIsTheCLI() throws {
        let result = try ChildProcess.capture(Self.bootstrap, [], environment: environment, timeout: 20)
        let direct = try ChildProcess.capture(Self.cli, [], environment: environment, timeout: 20)
        #expect(result.status == direct.status)
        #expect(result.output == direct.output)
    }

    @Test("A missing CLI is a clear error with exit status 127")
    func missingCLI() throws {
        var env = environment
        env["RUNNER_SCALER_CLI"] = "/nonexistent/runner-scaler"
        let result = try ChildProcess.capture(Self.bootstrap, ["serve"], environment: env)
        #expect(result.status == 127)
        #expect(result.output.contains("cannot run the full CLI at /nonexistent/runner-scaler"))
        #expect(result.output.contains("RUNNER_SCALER_CLI"))
    }

    /// Linking the legacy `Foundation` module (JSONSerialization, NSLock, Process, ...) costs
    /// a cold start ~4 MiB of resident memory before any work (BENCHMARKS.md, "Peak RSS"). The
    /// debug build links Swift's libraries dynamically, so one stray use anywhere in the
    /// library shows up as a needed libFoundation.so.
    @Test("The bootstrap links FoundationEssentials only, never the legacy Foundation module")
    func noLegacyFoundation() throws {
        let needed = try ChildProcess.capture("/usr/bin/readelf", ["-d", Self.bootstrap], environment: environment)
        #expect(needed.status == 0, "\(needed.output)")
        let libraries = needed.output.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(libraries.contains { $0.contains("[libFoundationEssentials.so]") }, "\(libraries)")
        #expect(!libraries.contains { $0.contains("[libFoundation.so]") || $0.contains("libFoundationInternationalization") },
                "\(libraries)")
    }
}
