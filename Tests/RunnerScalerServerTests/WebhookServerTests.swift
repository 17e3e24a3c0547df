import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RunnerScaler
import Testing
@testable import RunnerScalerServer

/// `serve`'s routes and middleware, driven through HummingbirdTesting's router framework.
@Suite("serve: routes, limits and metrics")
struct WebhookServerTests {
    func test<Value>(_ server: WebhookServer, _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.makeApplication().test(.router, body)
    }

    @Test("GET /healthz answers 200")
    func health() async throws {
        try await test(ServerFixtures.server()) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"message":"ok"}"#)
        }
    }

    @Test("A correctly signed delivery is handled: 200 with the decision")
    func goodSignature() async throws {
        try await test(ServerFixtures.server()) { client in
            let body = ServerFixtures.queuedBody()
            let response = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: body),
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let answer = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
            #expect(answer?["decision"] == "launch")
        }
    }

    @Test("A delivery signed with another secret gets 401, an unsigned one too")
    func badSignature() async throws {
        try await test(ServerFixtures.server()) { client in
            let body = ServerFixtures.queuedBody()
            let wrong = try await client.execute(uri: "/webhook", method: .post,
                                                 headers: ServerFixtures.headers(body: body, signWith: Secret("not-the-secret")),
                                                 body: ByteBuffer(bytes: body))
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("does not match"))
            let unsigned = try await client.execute(uri: "/webhook", method: .post,
                                                    headers: [HTTPField.Name("X-GitHub-Event")!: "workflow_job"],
                                                    body: ByteBuffer(bytes: body))
            #expect(unsigned.status == .unauthorized)
        }
    }

    @Test("The handler sees the body byte for byte and the headers as sent")
    func exactBody() async throws {
        let seen = Seen()
        let server = ServerFixtures.server { request, _ in
            seen.set(request)
            return .json(status: 200, message: "ok")
        }
        // Odd spacing, escapes and non-ASCII: anything re-encoded would break the HMAC.
        let body = Array("{ \"a\" :\t\"\\u00e9 é \\/ \" ,\r\n\"b\":[1 , 2] }  ".utf8)
        try await test(server) { client in
            _ = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: body),
                                         body: ByteBuffer(bytes: body))
        }
        let request = try #require(seen.request)
        #expect(request.body == body)
        #expect(request.headers["x-hub-signature-256"] == SignatureVerifier.signatureHeader(body: body, secret: ServerFixtures.secret))
        #expect(request.eventName == "workflow_job")
    }

    @Test("GET /metrics is Prometheus text that names our metrics after a delivery")
    func metrics() async throws {
        let metrics = PrometheusMetricsFactory()
        try await test(ServerFixtures.server(metrics: metrics)) { client in
            let body = ServerFixtures.queuedBody()
            _ = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: body),
                                         body: ByteBuffer(bytes: body))
            _ = try await client.execute(uri: "/webhook", method: .post,
                                         headers: ServerFixtures.headers(body: body, signWith: Secret("wrong")),
                                         body: ByteBuffer(bytes: body))
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == PrometheusMetricsFactory.contentType)
            let text = String(buffer: response.body)
            #expect(text.contains("# TYPE \(ScalerMetrics.deliveriesName) counter"))
            #expect(text.contains(#"\#(ScalerMetrics.deliveriesName){action="queued",event="workflow_job",outcome="handled"} 1"#))
            #expect(text.contains("\(ScalerMetrics.signatureFailuresName){"))
            #expect(text.contains(#"\#(ScalerMetrics.launchesName){outcome="planned",pool="linux-x64",provider="dry-run"} 1"#))
            #expect(text.contains("# TYPE \(ScalerMetrics.handlerLatencyName) histogram"))
            #expect(text.contains(#"\#(ScalerMetrics.handlerLatencyName)_count{event="workflow_job"} 2"#))
        }
    }

    @Test("A body over the limit gets 413 before the handler runs")
    func bodyLimit() async throws {
        var settings = ServerSettings()
        settings.maxBodyBytes = 2048
        let seen = Seen()
        let server = ServerFixtures.server(settings) { request, _ in
            seen.set(request)
            return .json(status: 200, message: "ok")
        }
        try await test(server) { client in
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
            let response = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: body),
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .contentTooLarge)
            #expect(String(buffer: response.body).contains("2048"))
            let small = Array(#"{"ok":true}"#.utf8)
            let fine = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: small),
                                                body: ByteBuffer(bytes: small))
            #expect(fine.status == .ok)
        }
        #expect(seen.request?.body == Array(#"{"ok":true}"#.utf8))
    }

    @Test("A source over its rate gets 429 with Retry-After; /healthz is never limited")
    func rateLimit() async throws {
        var settings = ServerSettings()
        // Two at once, then one per 1000 s: the third request is certainly over.
        settings.rateLimit = .init(requestsPerSecond: 0.001, burst: 2)
        try await test(ServerFixtures.server(settings)) { client in
            let body = ServerFixtures.queuedBody()
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: body),
                                                        body: ByteBuffer(bytes: body))
                statuses.append(response.status)
                retryAfter = response.headers[.retryAfter]
            }
            #expect(statuses == [.ok, .ok, .tooManyRequests])
            let seconds = try #require(retryAfter.flatMap { Int($0) })
            #expect(seconds >= 1)
            for _ in 0..<3 {
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            }
        }
    }

    @Test("The webhook path is configurable, and the default path then is not served")
    func webhookPath() async throws {
        var settings = ServerSettings()
        settings.webhookPath = "/github/events"
        try await test(ServerFixtures.server(settings)) { client in
            let body = ServerFixtures.queuedBody()
            let moved = try await client.execute(uri: "/github/events", method: .post, headers: ServerFixtures.headers(body: body),
                                                 body: ByteBuffer(bytes: body))
            #expect(moved.status == .ok)
            let old = try await client.execute(uri: "/webhook", method: .post, headers: ServerFixtures.headers(body: body),
                                               body: ByteBuffer(bytes: body))
            #expect(old.status == .notFound)
        }
    }

    @Test("Access logs name method, path, status and delivery, never the signature or the body")
    func accessLog() async throws {
        let logs = CapturedLogs()
        let body = Array(#"{"secret-looking":"body-content-xyz"}"#.utf8)
        let headers = ServerFixtures.headers(body: body)
        let signature = try #require(headers[HTTPField.Name("X-Hub-Signature-256")!])
        try await test(ServerFixtures.server(logger: logs.logger)) { client in
            _ = try await client.execute(uri: "/webhook?token=abc", method: .post, headers: headers, body: ByteBuffer(bytes: body))
        }
        let access = try #require(logs.entries.first { $0.message == "request" })
        #expect(access.metadata["method"] == "POST")
        #expect(access.metadata["path"] == "/webhook")
        #expect(access.metadata["status"] != nil)
        #expect(access.metadata["delivery"] == .string("d-\(body.count)"))
        // No log line of the request, the handler's included, carries the signature.
        #expect(!logs.text.contains(String(signature.dropFirst("sha256=".count))))
        let accessText = "\(access.metadata)"
        #expect(!accessText.contains("body-content-xyz"))
        #expect(!accessText.contains("token=abc"))
    }
}

final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var _request: WebhookRequest?
    var request: WebhookRequest? { lock.withLock { _request } }
    func set(_ request: WebhookRequest) { lock.withLock { _request = request } }
}
