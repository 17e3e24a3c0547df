import Foundation
import Testing
@testable import RunnerScaler

@Suite("The webhook handler over the events/ fixtures")
struct WebhookHandlerTests {
    static let devSecret = Secret("runner-scaler-dev-secret")
    static let config = try! ConfigLoader.load(path: Repo.url("config.example.yml").path)

    static let expectations: [(file: String, status: Int, decision: String?)] = [
        ("workflow_job-queued.json", 200, "launch"),
        ("workflow_job-queued-form-encoded.json", 200, "launch"),
        ("apigw-v1-workflow_job-queued.json", 200, "launch"),
        ("workflow_job-waiting.json", 200, "ignore"),
        ("workflow_job-in_progress.json", 200, "ignore"),
        ("workflow_job-completed-success.json", 200, "terminate"),
        ("workflow_job-completed-failure.json", 200, "terminate"),
        ("workflow_job-completed-cancelled.json", 200, "terminate"),
        ("workflow_job-completed-cancelled-before-pickup.json", 200, "reap-idle"),
        ("workflow_job-completed-skipped.json", 200, "reap-idle"),
        ("workflow_job-queued-github-hosted.json", 200, "ignore"),
        ("workflow_job-queued-repo-not-allowed.json", 200, "ignore"),
        ("ping.json", 200, "ignore"),
        ("push-ignored.json", 200, "ignore"),
        ("bad-signature.json", 401, nil),
        ("sha1-only.json", 401, nil),
        ("malformed-body.json", 400, nil),
    ]

    func handler(_ capture: LogCapture) -> WebhookHandler {
        WebhookHandler(verifier: SignatureVerifier(secret: Self.devSecret),
                       scaler: Scaler(config: Self.config) { _ in DryRunProvider() },
                       logger: capture.logger())
    }

    @Test("Every HTTP fixture in events/ is covered by this table")
    func tableIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.url("events").path).filter { $0.hasSuffix(".json") }
        let http = try files.filter { try InvocationEvent.decode(Array(Repo.data("events/\($0)"))).request != nil }
        #expect(Set(http) == Set(Self.expectations.map(\.file)))
    }

    @Test("Each fixture gets its status and decision", arguments: 0..<WebhookHandlerTests.expectations.count)
    func fixture(index: Int) async throws {
        let (file, status, decision) = Self.expectations[index]
        let event = try InvocationEvent.decode(Array(Repo.data("events/\(file)")))
        let handled = await handler(LogCapture()).handle(try #require(event.request))
        #expect(handled.response.status == status, "\(file): \(handled.response.body)")
        #expect(handled.decision?.kind == decision, "\(file)")
    }

    @Test("No log line and no response ever contains the webhook secret")
    func noSecretInLogs() async throws {
        let capture = LogCapture()
        let handler = handler(capture)
        var responses: [String] = []
        for (file, _, _) in Self.expectations {
            let event = try InvocationEvent.decode(Array(Repo.data("events/\(file)")))
            responses.append(await handler.handle(try #require(event.request)).response.body)
        }
        #expect(capture.lines.count >= Self.expectations.count)
        for line in capture.lines + responses {
            #expect(!line.contains(Self.devSecret.exposedValue))
        }
    }

    @Test("Log lines are JSON with level, message, delivery, event, action, job id and pool")
    func logFields() async throws {
        let capture = LogCapture()
        let body = Fixtures.workflowJobBody(action: "queued")
        _ = await handler(capture).handle(Fixtures.signedRequest(event: "workflow_job", body: body, secret: Self.devSecret, delivery: "abc"))
        let decision = try #require(capture.objects().first { ($0["message"] as? String) == "decision" })
        #expect(decision["level"] as? String == "info")
        #expect(decision["delivery"] as? String == "abc")
        #expect(decision["event"] as? String == "workflow_job")
        #expect(decision["action"] as? String == "queued")
        #expect(decision["job_id"] as? String == "1001")
        #expect(decision["pool"] as? String == "linux-x64")
    }

    @Test("A provider failure answers 502 so GitHub records the delivery as failed")
    func providerFailure() async {
        struct Broken: HostProvider {
            var kind: String { "broken" }
            struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
            func launch(_ spec: HostSpec) async throws -> LaunchOutcome { throw Boom() }
            func terminate(_ host: RunnerHost) async throws -> TerminateOutcome { throw Boom() }
            func list(pool: PoolConfig) async throws -> [RunnerHost] { throw Boom() }
        }
        let handler = WebhookHandler(verifier: SignatureVerifier(secret: Self.devSecret),
                                     scaler: Scaler(config: Self.config) { _ in Broken() }, logger: LogCapture().logger())
        let handled = await handler.handle(Fixtures.signedRequest(
            event: "workflow_job", body: Fixtures.workflowJobBody(action: "queued"), secret: Self.devSecret))
        #expect(handled.response.status == 502)
        #expect(handled.response.body.contains("boom"))
    }
}
