// The Lambda image's bootstrap (/var/runtime/bootstrap): only the Lambda runtime loop, so a
// cold start maps and touches none of the `serve` stack (Hummingbird, SwiftNIO) or the
// command-line parser. See BENCHMARKS.md, "Peak RSS".
//
// With no arguments and AWS_LAMBDA_RUNTIME_API set (how Lambda starts it) it runs the loop.
// Anything else (`serve`, `replay`, `--help`, ...) is the full CLI's job: it replaces itself
// with the `runner-scaler` executable installed next to it, or RUNNER_SCALER_CLI.
//
// It uses FoundationEssentials only, like the library: linking the legacy Foundation module
// costs ~4 MiB at start (a test checks the bootstrap does not link it).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RunnerScaler

let environment = ProcessInfo.processInfo.environment
let arguments = Array(CommandLine.arguments.dropFirst())

if !arguments.isEmpty || (environment["AWS_LAMBDA_RUNTIME_API"] ?? "").isEmpty {
    // This executable's own path (argv[0] may be a bare name found through PATH).
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let cli = environment["RUNNER_SCALER_CLI"]
        ?? URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("runner-scaler").path
    let argv = ([cli] + arguments).map { strdup($0) } + [nil]
    execv(cli, argv)
    let reason = String(cString: strerror(errno))
    let message = Array("runner-scaler-lambda: cannot run the full CLI at \(cli): \(reason); set RUNNER_SCALER_CLI\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(127)
}

exit(await LambdaProcess.run(environment: environment, options: .init()))
