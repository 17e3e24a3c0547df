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
import Logging
import CoreMetrics

/// The custom-runtime loop: fetch an event, answer it, repeat. It turns each event into a
/// call of `handle` (HTTP events) or `sweep` (scheduled events) and the result back into the
/// event's own response shape; how the handler is built is the caller's business.
public struct LambdaRuntime: Sendable {
    public typealias Handle = @Sendable (WebhookRequest, Deadline) async -> WebhookResponse
    public typealias Sweep = @Sendable (Deadline) async throws -> String

    /// What one invocation produced: a response document, or a function error.
    public enum Result: Sendable, Equatable {
        case response([UInt8])
        case error(LambdaErrorReport)
    }

    public let client: LambdaRuntimeClient
    private let handle: Handle
    private let sweep: Sweep
    private let logger: Logger
    private let metrics: EmbeddedMetricsFactory?
    private let setTraceID: @Sendable (String?) -> Void
    private let nowEpochMilliseconds: @Sendable () -> Int64

    /// Time kept back from Lambda's deadline to post the response before Lambda cuts it off.
    public static let responseMargin: Duration = .milliseconds(300)

    /// - Parameters:
    ///   - metrics: when given, bound to each invocation and flushed (one EMF line) after it.
    ///   - setTraceID: exports `Lambda-Runtime-Trace-Id`; by default into `_X_AMZN_TRACE_ID`.
    ///   - nowEpochMilliseconds: the wall clock that `Lambda-Runtime-Deadline-Ms` is read against.
    public init(
        client: LambdaRuntimeClient, handle: @escaping Handle, sweep: @escaping Sweep, logger: Logger,
        metrics: EmbeddedMetricsFactory? = nil,
        setTraceID: @escaping @Sendable (String?) -> Void = LambdaRuntime.exportTraceID,
        nowEpochMilliseconds: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    ) {
        self.client = client
        self.handle = handle
        self.sweep = sweep
        self.logger = logger
        self.metrics = metrics
        self.setTraceID = setTraceID
        self.nowEpochMilliseconds = nowEpochMilliseconds
    }

    /// The X-Ray SDKs read the current trace from `_X_AMZN_TRACE_ID`, which the runtime must
    /// set before each invocation. One invocation runs at a time, so the process environment is
    /// not written while a handler reads it.
    public static func exportTraceID(_ traceID: String?) {
        if let traceID { setenv("_X_AMZN_TRACE_ID", traceID, 1) } else { unsetenv("_X_AMZN_TRACE_ID") }
    }

    /// Serves invocations until the Runtime API fails (Lambda then restarts the runtime), or
    /// after `maxInvocations` when given. Throws the Runtime API error that ended it.
    public func run(maxInvocations: Int? = nil) async throws {
        var served = 0
        while maxInvocations.map({ served < $0 }) ?? true {
            let invocation = try await client.next()
            served += 1
            let result = await invoke(invocation)
            try await deliver(result, for: invocation.requestID)
        }
    }

    /// Posts the result. A response the Runtime API refuses (too large, say) becomes a function
    /// error so the caller still gets an answer; a fatal Runtime API error ends the loop.
    private func deliver(_ result: Result, for requestID: String) async throws {
        do {
            switch result {
            case let .response(body): try await client.respond(to: requestID, body: body)
            case let .error(report): try await client.fail(requestID, report)
            }
        } catch let error as LambdaRuntimeError where !error.isFatal {
            logger.error("Runtime API refused the result", metadata: ["aws_request_id": .string(requestID), "error": "\(error)"])
            if case .response = result {
                try await client.fail(requestID, LambdaErrorReport(type: LambdaErrorReport.responseRejected, message: "\(error)"))
            }
        }
    }

    /// One invocation from event to result, with its metrics flushed. No Runtime API calls.
    public func invoke(_ invocation: LambdaInvocation) async -> Result {
        setTraceID(invocation.traceID)
        var logger = self.logger
        logger[metadataKey: "aws_request_id"] = .string(invocation.requestID)

        let now = nowEpochMilliseconds()
        let lambdaDeadline: Deadline
        if let deadline = invocation.deadline(nowEpochMilliseconds: now) {
            lambdaDeadline = Deadline(deadline.instant - Self.responseMargin)
        } else {
            logger.warning("no usable Lambda-Runtime-Deadline-Ms header; assuming GitHub's webhook budget")
            lambdaDeadline = .after(WebhookHandler.defaultDeadline)
        }

        let result: Result
        if let metrics {
            result = await withMetricsFactory(metrics) { await process(invocation.event, deadline: lambdaDeadline, logger: logger) }
            // Before the response is posted: once it is, Lambda may freeze the sandbox.
            metrics.flush()
        } else {
            result = await process(invocation.event, deadline: lambdaDeadline, logger: logger)
        }
        return result
    }

    private func process(_ event: [UInt8], deadline: Deadline, logger: Logger) async -> Result {
        let decoded: InvocationEvent
        do { decoded = try InvocationEvent.decode(event) } catch {
            if let shape = LambdaHTTPResponse.shape(ofMalformed: event) {
                logger.warning("malformed HTTP event", metadata: ["error": .string(error.message)])
                return .response(LambdaHTTPResponse.encode(.json(status: 400, message: "malformed event: \(error.message)"), shape: shape))
            }
            logger.error("unrecognised event", metadata: ["error": .string(error.message)])
            return .error(LambdaErrorReport(type: LambdaErrorReport.invalidEvent, message: error.message))
        }

        switch decoded {
        case let .scheduled(time):
            var logger = logger
            logger[metadataKey: "event"] = "scheduled"
            if let time { logger[metadataKey: "scheduled_time"] = .string(time) }
            do {
                let summary = try await sweep(deadline)
                logger.info("scheduled event done", metadata: ["summary": .string(summary)])
                return .response(Self.json(["kind": "sweep", "message": summary]))
            } catch {
                logger.error("sweep failed", metadata: ["error": "\(error)"])
                return .error(LambdaErrorReport(type: LambdaErrorReport.sweepFailed, message: "\(error)"))
            }
        case let .httpV2(request), let .httpV1(request), let .rawDelivery(request):
            // GitHub gives up after 10 s whatever Lambda's own timeout is.
            let budget = min(deadline, Deadline.after(WebhookHandler.defaultDeadline))
            let response = await handle(request, budget)
            return .response(LambdaHTTPResponse.encode(response, shape: LambdaHTTPResponse.shape(of: decoded) ?? .v2))
        }
    }

    private static func json(_ object: [String: String]) -> [UInt8] {
        Array(JSONText.object(object).utf8)
    }
}
