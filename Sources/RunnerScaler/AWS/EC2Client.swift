/// The EC2 Query API (2016-11-15) over SigV4: the four operations the provider uses.
/// Throttling and 5xx are retried inside; every other error is thrown as the `EC2Error`
/// EC2 sent, whose `disposition` tells the caller what to do next.
public struct EC2Client: Sendable, CustomStringConvertible {
    public let service: AWSServiceClient

    public init(service: AWSServiceClient) { self.service = service }

    public var description: String { "EC2Client(\(service))" }

    public var region: String { service.region }

    /// The unsigned request as it goes on the wire (what a dry run shows).
    public func prepare(_ operation: some EC2QueryRequest) -> AWSRequest {
        service.prepare(operation.awsRequest(host: service.endpoint.host))
    }

    /// Sends one operation; the success body, or the error EC2 answered with.
    public func send(_ operation: some EC2QueryRequest, deadline: Deadline) async throws -> [UInt8] {
        let response = try await service.send(operation.awsRequest(host: service.endpoint.host), deadline: deadline,
                                              classify: AWSRetryClassification.query)
        guard response.isSuccess else { throw EC2Error.parse(httpStatus: response.status, body: response.body) }
        return response.body
    }

    public func runInstances(_ request: EC2RunInstancesRequest, deadline: Deadline) async throws -> EC2RunInstancesResponse {
        try EC2RunInstancesResponse(xml: try await send(request, deadline: deadline))
    }

    public func terminateInstances(_ request: EC2TerminateInstancesRequest,
                                   deadline: Deadline) async throws -> EC2TerminateInstancesResponse {
        try EC2TerminateInstancesResponse(xml: try await send(request, deadline: deadline))
    }

    public func createTags(_ request: EC2CreateTagsRequest, deadline: Deadline) async throws -> EC2CreateTagsResponse {
        try EC2CreateTagsResponse(xml: try await send(request, deadline: deadline))
    }

    /// One page.
    public func describeInstancesPage(_ request: EC2DescribeInstancesRequest,
                                      deadline: Deadline) async throws -> EC2DescribeInstancesResponse {
        try EC2DescribeInstancesResponse(xml: try await send(request, deadline: deadline))
    }

    /// Every page: `NextToken` is always followed, since moto pages at 100 even when
    /// `MaxResults` is not given. `maxPages` bounds a service that never stops paging.
    public func describeInstances(_ request: EC2DescribeInstancesRequest, deadline: Deadline,
                                  maxPages: Int = 1000) async throws -> [EC2Instance] {
        var instances: [EC2Instance] = []
        var page = request
        var seenTokens: Set<String> = []
        for _ in 0..<maxPages {
            let response = try await describeInstancesPage(page, deadline: deadline)
            instances += response.instances
            guard let token = response.nextToken else { return instances }
            guard seenTokens.insert(token).inserted else {
                throw AWSResponseError.malformedXML(reason: "DescribeInstances repeated NextToken")
            }
            page = request.page(after: token)
        }
        throw AWSResponseError.malformedXML(reason: "DescribeInstances returned more than \(maxPages) pages")
    }
}
