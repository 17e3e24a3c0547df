#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Signs requests for one service in one region and sends them through the shared retry
/// policy. Credentials are fetched (from the cache) for every request, so temporary
/// credentials that were refreshed are picked up without rebuilding the client.
public struct AWSServiceClient: Sendable, CustomStringConvertible {
    public let service: AWSService
    /// The signing region (a global service's own, e.g. IAM's us-east-1).
    public let region: String
    public let endpoint: AWSEndpoint
    public let credentials: any AWSCredentialsProviding
    public let http: RetryingHTTPClient
    private let now: @Sendable () -> Date

    public init(service: AWSService, region: String, endpoint: AWSEndpoint, credentials: any AWSCredentialsProviding,
                http: RetryingHTTPClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.service = service
        self.region = service.globalRegion ?? region
        self.endpoint = endpoint
        self.credentials = credentials
        self.http = http
        self.now = now
    }

    /// The client for `service` in `region`, at the endpoint `environment` selects.
    public init(service: AWSService, region: String, environment: [String: String],
                credentials: any AWSCredentialsProviding, http: RetryingHTTPClient,
                now: @escaping @Sendable () -> Date = { Date() }) throws(AWSEndpointError) {
        self.init(service: service, region: region,
                  endpoint: try AWSEndpoint.resolve(service, region: region, environment: environment),
                  credentials: credentials, http: http, now: now)
    }

    public var description: String { "\(service) in \(region) at \(endpoint)" }

    /// The request as it would go on the wire, unsigned: host and path made the endpoint's.
    public func prepare(_ request: AWSRequest) -> AWSRequest {
        var prepared = request
        prepared.host = endpoint.host
        prepared.path = endpoint.basePath + request.path
        return prepared
    }

    /// Signs `request` (its host and path are replaced by the endpoint's) and sends it,
    /// retrying as `classify` says. Any status comes back as a response; throws
    /// `HTTPClientError` when no response arrived and `AWSCredentialsError` when there is
    /// nothing to sign with.
    public func send(_ request: AWSRequest, deadline: Deadline,
                     classify: @escaping @Sendable (HTTPResponse, Date) -> RetryVerdict) async throws -> HTTPResponse {
        let credentials = try await credentials.credentials(deadline: deadline)
        let signer = SigV4Signer(credentials: credentials, region: region, service: service.signingName)
        let signed = signer.sign(prepare(request), at: now())
        var headers = HeaderFields()
        for header in signed.headers { headers.append(header.name, header.value) }
        let httpRequest = HTTPRequest(method: signed.request.method, url: endpoint.url(signed.request.requestTarget),
                                      headers: headers, body: signed.request.body)
        return try await http.send(httpRequest, deadline: deadline, classify: classify)
    }
}
