import Foundation
import Logging
import Testing
@testable import RunnerScaler

/// `LambdaRuntime.invoke` on its own: event in, result out, no Runtime API involved.
@Suite("Lambda runtime loop, one invocation at a time")
struct LambdaRuntimeTests {
    /// Records what the runtime handed over, for the assertions.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var _deadlines: [Deadline] = []
        private var _traceIDs: [String?] = []
        private var _sweeps = 0

        var deadlines: [Deadline] { lock.withLock { _deadlines } }
        var traceIDs: [String?] { lock.withLock { _traceIDs } }
        var sweeps: Int { lock.withLock { _sweeps } }
        func deadline(_ d: Deadline) { lock.withLock { _deadlines.append(d) } }
        func trace(_ t: String?) { lock.withLock { _traceIDs.append(t) } }
        func swept() { lock.withLock { _sweeps += 1 } }
    }

    /// Refuses every call: `invoke` must not talk to the Runtime API.
    struct NoHTTP: HTTPClient {
        func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse {
            throw HTTPClientError(.invalidRequest, method: request.method, path: request.path, detail: "no HTTP in this test")
        }
    }

    static let now: Int64 = 1_800_000_000_000

    func runtime(
        _ recorder: Recorder, metrics: EmbeddedMetricsFactory? = nil,
        sweep: @escaping LambdaRuntime.Sweep = { _ in "swept" },
        respond: WebhookResponse = .json(status: 200, message: "ok")
    ) throws -> LambdaRuntime {
        try LambdaRuntime(
            client: LambdaRuntimeClient(endpoint: "127.0.0.1:9001", http: NoHTTP()),
            handle: { _, deadline in
                recorder.deadline(deadline)
                ScalerMetrics.delivery(event: "workflow_job", action: "queued", outcome: "handled")
                return respond
            },
            sweep: { deadline in
                recorder.deadline(deadline)
                recorder.swept()
                return try await sweep(deadline)
            },
            logger: Logger(label: "test"), metrics: metrics,
            setTraceID: { recorder.trace($0) },
            nowEpochMilliseconds: { Self.now })
    }

    func functionURLEvent(body: String = "{}") -> [UInt8] {
        let object: [String: Any] = [
            "version": "2.0", "rawPath": "/", "isBase64Encoded": false, "body": body,
            "headers": ["x-github-event": "workflow_job", "content-type": "application/json"],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    func object(_ result: LambdaRuntime.Result) throws -> [String: Any] {
        guard case let .response(bytes) = result else { throw PeerError("expected a response, got \(result)") }
        return try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    }

    @Test("The trace id of each invocation is exported before the handler runs, and cleared when absent")
    func traceID() async throws {
        let recorder = Recorder()
        let runtime = try runtime(recorder)
        _ = await runtime.invoke(LambdaInvocation(requestID: "r1", traceID: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                                                  event: functionURLEvent()))
        _ = await runtime.invoke(LambdaInvocation(requestID: "r2", event: functionURLEvent()))
        #expect(recorder.traceIDs == ["Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", nil])
    }

    @Test("The default trace exporter sets and clears _X_AMZN_TRACE_ID")
    func traceEnvironment() {
        LambdaRuntime.exportTraceID("Root=1-test")
        #expect(ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"] == "Root=1-test")
        LambdaRuntime.exportTraceID(nil)
        #expect(ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"] == nil)
    }

    @Test("Lambda's deadline reaches the sweep, less the margin for posting the response")
    func sweepDeadline() async throws {
        let recorder = Recorder()
        let runtime = try runtime(recorder)
        let result = await runtime.invoke(LambdaInvocation(
            requestID: "r", deadlineEpochMilliseconds: Self.now + 60_000,
            event: Array(#"{"source": "aws.events", "detail-type": "Scheduled Event", "time": "2026-11-20T10:05:00Z"}"#.utf8)))
        #expect(try object(result)["kind"] as? String == "sweep")
        #expect(recorder.sweeps == 1)
        let deadline = try #require(recorder.deadlines.first)
        #expect(deadline <= Deadline.after(.seconds(60) - LambdaRuntime.responseMargin))
        #expect(deadline > Deadline.after(.seconds(30)))
    }

    @Test("A delivery never gets more than GitHub's budget, even when Lambda allows more")
    func deliveryDeadline() async throws {
        let recorder = Recorder()
        let runtime = try runtime(recorder)
        _ = await runtime.invoke(LambdaInvocation(requestID: "r", deadlineEpochMilliseconds: Self.now + 600_000, event: functionURLEvent()))
        let deadline = try #require(recorder.deadlines.first)
        #expect(deadline <= Deadline.after(WebhookHandler.defaultDeadline))
    }

    @Test("A failing sweep is a function error, so the schedule's failure shows in Lambda's Errors metric")
    func failingSweep() async throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "EC2 unreachable" } }
        let runtime = try runtime(Recorder(), sweep: { _ in throw Boom() })
        let result = await runtime.invoke(LambdaInvocation(requestID: "r", event: Array(#"{"source": "aws.events"}"#.utf8)))
        #expect(result == .error(LambdaErrorReport(type: LambdaErrorReport.sweepFailed, message: "EC2 unreachable")))
    }

    @Test("Handler answers go back in the Function URL shape")
    func functionURLShape() async throws {
        let runtime = try runtime(Recorder(), respond: .json(status: 401, message: "no"))
        let answer = try object(await runtime.invoke(LambdaInvocation(requestID: "r", event: functionURLEvent())))
        #expect(answer["statusCode"] as? Int == 401)
        #expect(answer["isBase64Encoded"] as? Bool == false)
        #expect((answer["headers"] as? [String: String])?["content-type"] == "application/json")
        #expect(answer["body"] as? String == #"{"message":"no"}"#)
        #expect(answer["multiValueHeaders"] == nil)
    }

    @Test("Malformed HTTP events get a 400 in their shape; anything else becomes a function error")
    func malformed() async throws {
        let runtime = try runtime(Recorder())
        let v1 = try object(await runtime.invoke(LambdaInvocation(
            requestID: "r", event: Array(#"{"httpMethod": "POST", "resource": "/", "isBase64Encoded": true, "body": "%%%"}"#.utf8))))
        #expect(v1["statusCode"] as? Int == 400)
        #expect(v1["multiValueHeaders"] != nil)
        let notJSON = await runtime.invoke(LambdaInvocation(requestID: "r", event: Array("not json".utf8)))
        guard case let .error(report) = notJSON else { Issue.record("expected an error, got \(notJSON)"); return }
        #expect(report.type == LambdaErrorReport.invalidEvent)
        #expect(report.message.contains("not valid JSON"))
    }

    @Test("Each invocation's metrics are flushed as EMF once it is done")
    func metricsFlushed() async throws {
        let lines = LineSink()
        let metrics = EmbeddedMetricsFactory(namespace: "RunnerScaler") { lines.append($0) }
        let runtime = try runtime(Recorder(), metrics: metrics)
        _ = await runtime.invoke(LambdaInvocation(requestID: "r1", event: functionURLEvent()))
        _ = await runtime.invoke(LambdaInvocation(requestID: "r2", event: functionURLEvent()))
        #expect(lines.lines.count == 2)
        for line in lines.lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object[ScalerMetrics.deliveriesName] as? Double == 1)
        }
    }

    @Test("Error reports follow Lambda's error document and header")
    func errorReport() throws {
        let report = LambdaErrorReport(type: "RunnerScaler.ConfigError", message: "GITHUB_WEBHOOK_SECRET: is not set")
        let object = try JSONSerialization.jsonObject(with: Data(report.body)) as! [String: Any]
        #expect(object["errorType"] as? String == "RunnerScaler.ConfigError")
        #expect(object["errorMessage"] as? String == "GITHUB_WEBHOOK_SECRET: is not set")
        #expect(object["stackTrace"] as? [String] == [])
        #expect(LambdaErrorReport(type: "a b\nc", message: "").headerValue == "a_b_c")
    }

    @Test("The Runtime API address must be host:port")
    func endpoint() throws {
        #expect(throws: LambdaRuntimeError.invalidEndpoint("http://x/")) { try LambdaRuntimeClient(endpoint: "http://x/", http: NoHTTP()) }
        #expect(throws: LambdaRuntimeError.invalidEndpoint("localhost")) { try LambdaRuntimeClient(endpoint: "localhost", http: NoHTTP()) }
        #expect(try LambdaRuntimeClient(endpoint: "127.0.0.1:9001", http: NoHTTP()).endpoint == "127.0.0.1:9001")
        #expect(LambdaRuntimeClient.pathSegment("8476a536-e9f4-11e8-9739-2dfe598c3fcd") == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(LambdaRuntimeClient.pathSegment("a/b") == "a%2Fb")
    }
}

final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    func append(_ line: String) { lock.withLock { _lines.append(line) } }
}
