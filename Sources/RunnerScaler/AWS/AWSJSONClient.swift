/// An awsJson1.1 service (SSM, Secrets Manager) over SigV4. Throttling and 5xx are retried
/// inside; other errors are thrown as the `AWSJSONError` the service answered with.
public struct AWSJSONClient: Sendable, CustomStringConvertible {
    public let service: AWSServiceClient

    public init(service: AWSServiceClient) { self.service = service }

    public var description: String { "AWSJSONClient(\(service))" }

    /// Sends one operation; the success body, or the service's error.
    public func send(_ operation: some AWSJSONOperation, deadline: Deadline) async throws -> [UInt8] {
        let response = try await service.send(operation.awsRequest(host: service.endpoint.host), deadline: deadline,
                                              classify: AWSRetryClassification.json)
        guard response.isSuccess else {
            throw AWSJSONError.parse(httpStatus: response.status, body: response.body,
                                     errorTypeHeader: response.headers["x-amzn-errortype"],
                                     requestID: response.headers["x-amzn-requestid"])
        }
        return response.body
    }

    /// SSM `GetParameter`.
    public func getParameter(_ request: SSMGetParameterRequest, deadline: Deadline) async throws -> SSMGetParameterResponse {
        try SSMGetParameterResponse(json: try await send(request, deadline: deadline))
    }

    /// Secrets Manager `GetSecretValue`.
    public func getSecretValue(_ request: SecretsManagerGetSecretValueRequest,
                               deadline: Deadline) async throws -> SecretsManagerGetSecretValueResponse {
        try SecretsManagerGetSecretValueResponse(json: try await send(request, deadline: deadline))
    }
}
