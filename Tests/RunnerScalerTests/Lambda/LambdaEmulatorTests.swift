import Foundation
import Testing
@testable import RunnerScaler

/// The real binaries, driven through AWS's own Runtime Interface Emulator: the image's
/// bootstrap `.build/debug/runner-scaler-lambda` started with no arguments as Lambda starts
/// it, and the full CLI's `runner-scaler lambda` (from the aws-sam-cli wheel; `scripts/install-rie` installs it and `scripts/test`
/// exports its path as RUNNER_SCALER_RIE).
@Suite("Lambda runtime under AWS's Runtime Interface Emulator", .serialized,
       .enabled(if: RuntimeEmulator.executable != nil, "no emulator: run scripts/install-rie (scripts/test does) or set RUNNER_SCALER_RIE"))
struct LambdaEmulatorTests {
    static let secret = "runner-scaler-dev-secret"

    func event(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Conformance.repoRoot.appendingPathComponent("events/\(name)")))
    }

    @Test("One warm runtime answers deliveries, rejects, malformed and scheduled events, each in its own shape",
          arguments: RuntimeEmulator.Entry.allCases)
    func warmRuntimeServesASequence(entry: RuntimeEmulator.Entry) async throws {
        let dir = try TemporaryDirectory()
        let secretFile = dir.url.appendingPathComponent("webhook-secret")
        try Data(Self.secret.utf8).write(to: secretFile)
        let config = try String(contentsOf: Conformance.repoRoot.appendingPathComponent("config.example.yml"), encoding: .utf8)
        let emulator = try await RuntimeEmulator.start(environment: [
            // A file: reference, so the test can show the secret is read once per cold start.
            "GITHUB_WEBHOOK_SECRET": "file:\(secretFile.path)",
            "RUNNER_SCALER_CONFIG": config,
        ], entry: entry)
        defer { emulator.stop() }

        // A signed queued delivery (Function URL shape) plans a launch.
        let queued = try await emulator.invoke(try event("workflow_job-queued.json"))
        #expect(queued.status == 200, "\(emulator.log())")
        let queuedAnswer = try Self.httpAnswer(queued.body)
        #expect(queuedAnswer.statusCode == 200)
        #expect(queuedAnswer.body["decision"] as? String == "launch")
        #expect(queuedAnswer.isBase64Encoded == false)
        #expect(queuedAnswer.contentType == "application/json")

        // The secret was resolved at cold start: deleting its file changes nothing now.
        try FileManager.default.removeItem(at: secretFile)

        let bad = try Self.httpAnswer(try await emulator.invoke(try event("bad-signature.json")).body)
        #expect(bad.statusCode == 401)
        #expect((bad.body["message"] as? String)?.contains("X-Hub-Signature-256") == true)

        // Signed correctly still works without the file: no per-event resolution.
        let again = try Self.httpAnswer(try await emulator.invoke(try event("workflow_job-completed-success.json")).body)
        #expect(again.statusCode == 200)

        // API Gateway REST (payload 1.0) is answered in its own shape.
        let v1 = try await emulator.invoke(try event("apigw-v1-workflow_job-queued.json"))
        let v1Answer = try Self.httpAnswer(v1.body)
        #expect(v1Answer.statusCode == 200)
        let v1Object = try JSONSerialization.jsonObject(with: Data(v1.body)) as? [String: Any]
        #expect(v1Object?["multiValueHeaders"] != nil)

        // An HTTP event whose envelope is broken gets an HTTP 400, not a function error.
        let malformed = try await emulator.invoke(Array(#"{"version": "2.0", "rawPath": "/", "headers": {"x-github-event": 7}, "body": "{}"}"#.utf8))
        let malformedAnswer = try Self.httpAnswer(malformed.body)
        #expect(malformedAnswer.statusCode == 400)
        #expect((malformedAnswer.body["message"] as? String)?.contains("malformed event") == true)

        // Something that is no event at all is a function error through /error.
        let unknown = try await emulator.invoke(Array(#"{"hello": "world"}"#.utf8))
        let error = try JSONSerialization.jsonObject(with: Data(unknown.body)) as? [String: Any]
        #expect(error?["errorType"] as? String == LambdaErrorReport.invalidEvent, "\(String(decoding: unknown.body, as: UTF8.self))")
        #expect(error?["statusCode"] == nil)

        // An EventBridge scheduled event runs the sweep.
        let sweep = try await emulator.invoke(try event("scheduled-sweep.json"))
        let sweepAnswer = try JSONSerialization.jsonObject(with: Data(sweep.body)) as? [String: Any]
        #expect(sweepAnswer?["kind"] as? String == "sweep", "\(String(decoding: sweep.body, as: UTF8.self))")
        #expect((sweepAnswer?["message"] as? String)?.isEmpty == false)

        // All of it was one process: one cold start.
        #expect(emulator.runtimeStarts() == 1, "\(emulator.log())")
        // And it wrote CloudWatch EMF lines for the deliveries.
        #expect(emulator.log().contains(#""Namespace":"RunnerScaler""#))
        #expect(emulator.log().contains(ScalerMetrics.deliveriesName))
    }

    @Test("A bad configuration is reported through /runtime/init/error and the runtime exits",
          arguments: RuntimeEmulator.Entry.allCases)
    func badConfigurationIsAnInitError(entry: RuntimeEmulator.Entry) async throws {
        let emulator = try await RuntimeEmulator.start(environment: [
            "GITHUB_WEBHOOK_SECRET": Self.secret,
            "RUNNER_SCALER_CONFIG": "pools: 5",
        ], entry: entry)
        defer { emulator.stop() }

        let answer = try await emulator.invoke(try event("workflow_job-queued.json"))
        let error = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        #expect(error?["errorType"] as? String == LambdaErrorReport.configError, "\(emulator.log())")
        #expect((error?["errorMessage"] as? String)?.contains("pools") == true)
        #expect(answer.status != 200)
        #expect(emulator.log().contains("exit status 78"))
    }

    @Test("An unknown LOG_LEVEL is a configuration error too, reported the same way")
    func badLogLevelIsAConfigError() async throws {
        let config = try String(contentsOf: Conformance.repoRoot.appendingPathComponent("config.example.yml"), encoding: .utf8)
        let emulator = try await RuntimeEmulator.start(environment: [
            "GITHUB_WEBHOOK_SECRET": Self.secret,
            "RUNNER_SCALER_CONFIG": config,
            "LOG_LEVEL": "loud",
        ])
        defer { emulator.stop() }

        let answer = try await emulator.invoke(try event("workflow_job-queued.json"))
        let error = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        #expect(error?["errorType"] as? String == LambdaErrorReport.configError, "\(emulator.log())")
        #expect((error?["errorMessage"] as? String)?.contains("LOG_LEVEL: unknown log level loud") == true, "\(String(describing: error))")
        #expect(emulator.log().contains("exit status 78"))
    }

    struct HTTPAnswer {
        var statusCode: Int
        var contentType: String?
        var isBase64Encoded: Bool?
        var body: [String: Any]
    }

    /// Reads a Function URL / API Gateway response document.
    static func httpAnswer(_ bytes: [UInt8]) throws -> HTTPAnswer {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let status = object["statusCode"] as? Int, let body = object["body"] as? String
        else { throw PeerError("not an HTTP response document: \(text)") }
        let headers = object["headers"] as? [String: String]
        let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
        return HTTPAnswer(statusCode: status, contentType: headers?["content-type"],
                          isBase64Encoded: object["isBase64Encoded"] as? Bool, body: parsed)
    }
}

/// A directory under the system temp dir, removed on deinit.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("runner-scaler-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// `aws-lambda-rie-<arch> --runtime-interface-emulator-address 127.0.0.1:PORT bootstrap`,
/// where `bootstrap` records its pid and execs the built Lambda entry point.
///
/// The emulator runs under a small shell watchdog that SIGKILLs it once the test process is
/// gone, so a test run that is killed leaves nothing behind; the runtimes exit by themselves
/// when their emulator disappears (their `/next` call fails).
final class RuntimeEmulator: @unchecked Sendable {
    let process = Process()
    let port: Int
    let directory: TemporaryDirectory
    private let logFile: URL
    private let pidFile: URL
    private let emulatorPIDFile: URL

    /// RUNNER_SCALER_RIE, else the emulator inside `.venv-sam` (scripts/install-rie).
    static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["RUNNER_SCALER_RIE"], !path.isEmpty { return path }
        #if arch(arm64)
        let name = "aws-lambda-rie-arm64"
        #else
        let name = "aws-lambda-rie-x86_64"
        #endif
        let lib = Conformance.repoRoot.appendingPathComponent(".venv-sam/lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for python in pythons.sorted() where python.hasPrefix("python") {
            let path = lib.appendingPathComponent("\(python)/site-packages/samcli/local/rapid/\(name)").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Which built executable the emulator's bootstrap runs (scripts/test builds before testing).
    enum Entry: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// The image's /var/runtime/bootstrap, with no arguments.
        case bootstrap = "runner-scaler-lambda"
        /// The full CLI's `lambda` subcommand.
        case cli = "runner-scaler lambda"

        var command: String {
            let debug = Conformance.repoRoot.appendingPathComponent(".build/debug")
            switch self {
            case .bootstrap: return "'\(debug.appendingPathComponent("runner-scaler-lambda").path)'"
            case .cli: return "'\(debug.appendingPathComponent("runner-scaler").path)' lambda"
            }
        }

        var executable: String {
            Conformance.repoRoot.appendingPathComponent(".build/debug/\(rawValue.split(separator: " ")[0])").path
        }

        var testDescription: String { rawValue }
    }

    /// Starts the emulator and waits (bounded) until it accepts invocations.
    static func start(environment: [String: String], entry: Entry = .bootstrap) async throws -> RuntimeEmulator {
        let emulator = try RuntimeEmulator(directory: TemporaryDirectory(), environment: environment, entry: entry)
        do { try await emulator.waitUntilListening() } catch {
            emulator.stop()
            throw error
        }
        return emulator
    }

    private init(directory: TemporaryDirectory, environment: [String: String], entry: Entry) throws {
        guard let rie = Self.executable else { throw PeerError("no Runtime Interface Emulator; run scripts/install-rie") }
        guard FileManager.default.isExecutableFile(atPath: entry.executable) else {
            throw PeerError("\(entry.executable) is not built; run `swift build` (or scripts/test) first")
        }
        self.directory = directory
        logFile = directory.url.appendingPathComponent("emulator.log")
        pidFile = directory.url.appendingPathComponent("runtime.pids")
        emulatorPIDFile = directory.url.appendingPathComponent("emulator.pid")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        // Values go through files rather than shell quoting, so any text is safe.
        var script = "#!/bin/sh\necho $$ >> '\(pidFile.path)'\n"
        for (index, (name, value)) in environment.sorted(by: { $0.key < $1.key }).enumerated() {
            let file = directory.url.appendingPathComponent("env-\(index)")
            try Data(value.utf8).write(to: file)
            script += "\(name)=\"$(cat '\(file.path)')\"; export \(name)\n"
        }
        script += "exec \(entry.command)\n"
        let bootstrap = directory.url.appendingPathComponent("bootstrap")
        try Data(script.utf8).write(to: bootstrap)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bootstrap.path)

        // Both of the emulator's ports are chosen here: its Runtime API defaults to the fixed
        // 127.0.0.1:9001, which two test runs at once would fight over.
        port = try Loopback.freePort()
        let runtimePort = try Loopback.freePort()
        let watchdog = """
            "$0" --runtime-interface-emulator-address 127.0.0.1:\(port) --runtime-api-address 127.0.0.1:\(runtimePort) "$1" &
            rie=$!
            echo $rie > '\(emulatorPIDFile.path)'
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $rie 2>/dev/null; do sleep 1; done
            kill -9 $rie 2>/dev/null
            """
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", watchdog, rie, bootstrap.path]
        process.currentDirectoryURL = directory.url
        var env = ProcessInfo.processInfo.environment
        // The emulator passes its environment on; keep the runtime's own choices out of it.
        for name in ["AWS_LAMBDA_RUNTIME_API", "GITHUB_WEBHOOK_SECRET", "RUNNER_SCALER_CONFIG", "CONFIG_PATH", "LOG_LEVEL"] { env[name] = nil }
        process.environment = env
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Bounded poll until the emulator accepts connections.
    private func waitUntilListening() async throws {
        for _ in 0..<200 {
            if !process.isRunning { throw PeerError("the emulator exited: \(log())") }
            if Loopback.canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("the emulator did not listen on 127.0.0.1:\(port) within 10 s: \(log())")
    }

    /// `POST /2015-03-31/functions/function/invocations`, as `sam local` and the Lambda API do.
    func invoke(_ event: [UInt8]) async throws -> HTTPResponse {
        try await CurlHTTPClient().send(HTTPRequest(
            method: "POST", url: "http://127.0.0.1:\(port)/2015-03-31/functions/function/invocations",
            headers: ["Content-Type": "application/json"], body: event, timeout: .seconds(60)), deadline: .after(.seconds(60)))
    }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// How many times the emulator started the runtime (each start appends its pid).
    func runtimeStarts() -> Int { runtimePIDs().count }

    private func runtimePIDs() -> [pid_t] {
        ((try? String(contentsOf: pidFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// SIGKILL throughout: children of Foundation.Process may have SIGTERM blocked, and nothing
    /// here has state worth a graceful exit. Emulator first, then its runtimes, then the watchdog.
    func stop() {
        let emulator = ((try? String(contentsOf: emulatorPIDFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        for pid in emulator + runtimePIDs() where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            for _ in 0..<100 where process.isRunning { usleep(10_000) }
        }
    }

    deinit { stop() }
}
