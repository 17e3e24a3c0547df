import ArgumentParser
import Foundation
import Logging
import RunnerScaler

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run saved deliveries through the handler and print one JSON line per file.",
        discussion: """
            Each FILE is a Lambda Function URL or API Gateway v1/v2 event wrapping a delivery, or a raw
            delivery {"headers": {...}, "body": "<exact body>"}. A directory stands for its *.json files.
            Output fields: file, shape, delivery, event, action, status, decision, provider.
            Logs go to stderr so stdout stays one JSON line per file.
            Exit status 1 when any file could not be read or parsed.
            """
    )

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "Call nothing outside: print the exact provider requests or commands instead (the default while every pool uses the dry-run provider).")
    var dryRun = false

    @Argument(help: "Event files or directories.")
    var files: [String]

    func run() async throws {
        let env = common.environment()
        bootstrapLogging(level: try common.level(env), fileDescriptor: 2)
        let handler = try await startRuntime(env, dryRun: dryRun ? true : nil).handler

        var failed = false
        for path in try expandJSON(files) {
            var line: [String: Any] = ["file": path]
            do {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ReplayError("cannot read file")
                }
                let event = try InvocationEvent.decode(Array(data))
                line["shape"] = event.shape
                guard let request = event.request else {
                    line["decision"] = ["kind": "sweep"]
                    line["provider"] = ["result": "planned", "detail": "a scheduled event runs the sweep; replay does not sweep"]
                    print(jsonLine(line))
                    continue
                }
                let handled = await handler.handle(request)
                line["delivery"] = handled.deliveryID ?? NSNull()
                line["event"] = handled.event ?? NSNull()
                line["action"] = handled.action ?? NSNull()
                line["status"] = handled.response.status
                if let decision = handled.decision {
                    line["decision"] = decision.summary
                } else if let rejection = handled.rejection {
                    line["decision"] = ["kind": "reject", "reason": rejection.description]
                }
                if let report = handled.report {
                    line["provider"] = ["result": report.result.rawValue, "detail": report.detail]
                } else if let failure = handled.failure {
                    line["provider"] = ["result": "failed", "detail": failure.message]
                } else {
                    line["provider"] = ["result": "none"]
                }
            } catch {
                failed = true
                line["error"] = "\(error)"
            }
            print(jsonLine(line))
        }
        if failed { throw ExitCode(1) }
    }
}

struct ReplayError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func jsonLine(_ object: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
