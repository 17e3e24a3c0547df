/// One event handed out by the Runtime API's `GET /runtime/invocation/next`.
public struct LambdaInvocation: Sendable {
    /// `Lambda-Runtime-Aws-Request-Id`: names the invocation in `/response` and `/error`.
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the invocation, in Unix epoch milliseconds.
    public var deadlineEpochMilliseconds: Int64?
    /// `Lambda-Runtime-Trace-Id`: the X-Ray trace header, exported as `_X_AMZN_TRACE_ID`.
    public var traceID: String?
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public var invokedFunctionARN: String?
    /// The event document exactly as received.
    public var event: [UInt8]

    public init(requestID: String, deadlineEpochMilliseconds: Int64? = nil, traceID: String? = nil,
                invokedFunctionARN: String? = nil, event: [UInt8]) {
        self.requestID = requestID
        self.deadlineEpochMilliseconds = deadlineEpochMilliseconds
        self.traceID = traceID
        self.invokedFunctionARN = invokedFunctionARN
        self.event = event
    }

    /// Reads the invocation from the `/next` response's headers and body.
    public init(response: HTTPResponse) throws(LambdaRuntimeError) {
        guard let id = response.headers["Lambda-Runtime-Aws-Request-Id"], !id.isEmpty else {
            throw .missingRequestID
        }
        self.init(
            requestID: id,
            deadlineEpochMilliseconds: response.headers["Lambda-Runtime-Deadline-Ms"].flatMap { Int64($0.trimmingASCIIWhitespace()) },
            traceID: response.headers["Lambda-Runtime-Trace-Id"].flatMap { $0.isEmpty ? nil : $0 },
            invokedFunctionARN: response.headers["Lambda-Runtime-Invoked-Function-Arn"],
            event: response.body)
    }

    /// Lambda's deadline as a `Deadline`, or nil when the header was missing or unreadable.
    public func deadline(nowEpochMilliseconds now: Int64) -> Deadline? {
        deadlineEpochMilliseconds.map { Deadline.epochMilliseconds($0, nowEpochMilliseconds: now) }
    }
}
