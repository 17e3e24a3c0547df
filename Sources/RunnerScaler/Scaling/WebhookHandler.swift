import Logging

/// The whole webhook path behind every edge: verify → decode → route → scale.
public struct WebhookHandler: Sendable {
    public let verifier: SignatureVerifier
    public let scaler: Scaler
    public let logger: Logger

    public init(verifier: SignatureVerifier, scaler: Scaler, logger: Logger) {
        self.verifier = verifier
        self.scaler = scaler
        self.logger = logger
    }

    /// One delivery's full story, for the edge's response and for replay's report.
    public struct Handled: Sendable {
        public var response: WebhookResponse
        public var deliveryID: String?
        public var event: String?
        public var action: String?
        public var decision: ScalingDecision?
        public var report: ScalerReport?
        public var rejection: WebhookRejection?
        public var failure: ScalerError?
    }

    /// GitHub waits 10 s for an answer; keep a margin for the response itself.
    public static let defaultDeadline: Duration = .seconds(9)

    public func handle(_ request: WebhookRequest, deadline: Deadline = .after(WebhookHandler.defaultDeadline)) async -> Handled {
        let started = ContinuousClock.now
        let handled = await process(request, deadline: deadline)
        let outcome: String = if handled.rejection != nil { "rejected" } else if handled.failure != nil { "failed" }
            else if case .ignore = handled.decision { "ignored" } else { "handled" }
        ScalerMetrics.delivery(event: handled.event ?? "unknown", action: handled.action ?? "none", outcome: outcome)
        if let rejection = handled.rejection, rejection.status == 401 {
            ScalerMetrics.signatureFailure(reason: rejection.metricReason)
        }
        ScalerMetrics.handlerLatency(ContinuousClock.now - started, event: handled.event ?? "unknown")
        return handled
    }

    private func process(_ request: WebhookRequest, deadline: Deadline) async -> Handled {
        var logger = self.logger
        logger[metadataKey: "delivery"] = request.deliveryID.map { .string($0) }
        logger[metadataKey: "event"] = request.eventName.map { .string($0) }
        var handled = Handled(response: WebhookResponse(status: 500, body: ""), deliveryID: request.deliveryID,
                              event: request.eventName)

        let delivery: Delivery
        do {
            try verifier.verify(request)
            delivery = try DeliveryDecoder.decode(request)
        } catch {
            logger.warning("delivery rejected", metadata: ["status": "\(error.status)", "reason": "\(error)"])
            handled.rejection = error
            handled.response = .json(status: error.status, message: error.description)
            return handled
        }
        handled.action = delivery.action
        logger[metadataKey: "action"] = delivery.action.map { .string($0) }
        if case let .workflowJob(event) = delivery {
            logger[metadataKey: "job_id"] = "\(event.workflowJob.id)"
        }

        let decision = Router.decide(delivery, config: scaler.config)
        handled.decision = decision
        if let pool = decision.pool { logger[metadataKey: "pool"] = .string(pool) }
        if case let .ignore(reason) = decision {
            logger.info("delivery ignored", metadata: ["reason": .string(reason)])
            handled.response = .json(status: 200, message: "ignored: \(reason)", extra: ["decision": decision.kind])
            return handled
        }
        logger.info("decision", metadata: decision.summary.mapValues { .string($0) })
        do {
            let report = try await scaler.execute(decision, deadline: deadline)
            handled.report = report
            logger.info("scaler \(report.result.rawValue)", metadata: ["detail": .string(report.detail)])
            handled.response = .json(status: 200, message: report.detail,
                                     extra: ["decision": decision.kind, "result": report.result.rawValue])
        } catch {
            handled.failure = error
            logger.error("scaler failed", metadata: ["error": .string(error.message)])
            handled.response = .json(status: error.status, message: error.message, extra: ["decision": decision.kind])
        }
        return handled
    }
}
