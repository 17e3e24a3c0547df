import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RunnerScaler
@testable import RunnerScalerServer

/// Builders shared by the server tests.
enum ServerFixtures {
    static let secret = Secret("runner-scaler-dev-secret")

    static let config: ScalerConfig = try! ConfigLoader.parse(yaml: """
        runnerNamePrefix: rs
        pools:
          - name: linux-x64
            labels: [self-hosted, linux, x64]
            allow:
              owners: [octo-org]
            provider: dry-run
        """)

    /// The real handler on a dry-run provider.
    static func handler(logger: Logger = Logger(label: "test")) -> WebhookHandler {
        WebhookHandler(verifier: SignatureVerifier(secret: secret),
                       scaler: Scaler(config: config) { _ in DryRunProvider() }, logger: logger)
    }

    static func server(
        _ settings: ServerSettings = ServerSettings(), metrics: PrometheusMetricsFactory = PrometheusMetricsFactory(),
        logger: Logger = Logger(label: "test"), handle: WebhookServer.Handle? = nil
    ) -> WebhookServer {
        let handler = handler(logger: logger)
        return WebhookServer(settings: settings, metrics: metrics, logger: logger,
                             handle: handle ?? { request, deadline in await handler.handle(request, deadline: deadline).response })
    }

    static func queuedBody(job: Int = 1001) -> [UInt8] {
        let object: [String: Any] = [
            "action": "queued",
            "workflow_job": ["id": job, "run_id": 5001, "run_attempt": 1, "labels": ["self-hosted", "linux", "x64"],
                             "status": "queued", "runner_name": NSNull(), "conclusion": NSNull()] as [String: Any],
            "repository": ["name": "octo-repo", "full_name": "octo-org/octo-repo", "owner": ["login": "octo-org"]] as [String: Any],
            "installation": ["id": 4242],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func headers(body: [UInt8], signWith secret: Secret = ServerFixtures.secret, event: String = "workflow_job") -> HTTPFields {
        [
            HTTPField.Name("X-GitHub-Event")!: event,
            HTTPField.Name("X-GitHub-Delivery")!: "d-\(body.count)",
            .contentType: "application/json",
            HTTPField.Name("X-Hub-Signature-256")!: SignatureVerifier.signatureHeader(body: body, secret: secret),
        ]
    }
}

/// Log lines kept in memory, to check what the access log says and what it never says.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var _entries: [(message: String, metadata: Logger.Metadata)] = []

    var entries: [(message: String, metadata: Logger.Metadata)] { lock.withLock { _entries } }
    func append(_ message: String, _ metadata: Logger.Metadata) { lock.withLock { _entries.append((message, metadata)) } }

    /// Everything logged, flattened to text.
    var text: String { entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.append(event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }
}
