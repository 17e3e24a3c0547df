/// The last link of the chain: the instance role's credentials from the EC2 instance
/// metadata service, IMDSv2 only (a session token from `PUT /latest/api/token` on every
/// read; the v1 fallback is left out on purpose, as runner hosts require v2 too).
/// `AWS_EC2_METADATA_DISABLED=true` skips it; `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`) moves it.
public struct AWSInstanceMetadataCredentials: AWSCredentialsSource {
    public static let defaultEndpoint = "http://169.254.169.254"
    public static let ipv6Endpoint = "http://[fd00:ec2::254]"
    static let tokenTTLSeconds = 21_600
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    public let environment: [String: String]
    public let http: any HTTPClient

    public init(environment: [String: String], http: any HTTPClient) {
        self.environment = environment
        self.http = http
    }

    public var name: String { "IMDSv2" }

    public var isDisabled: Bool { environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" }

    public var endpoint: String {
        var base = environment.nonEmpty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            ?? (environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6"
                ? Self.ipv6Endpoint : Self.defaultEndpoint)
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// Short, as in botocore: off EC2 nothing answers and the chain should fail fast.
    var timeout: Duration {
        environment["AWS_METADATA_SERVICE_TIMEOUT"].flatMap(Double.init).map { .milliseconds(Int64($0 * 1000)) } ?? .seconds(1)
    }

    var attempts: Int {
        environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"].flatMap(Int.init).map { max(1, $0) } ?? 1
    }

    public func load(deadline: Deadline) async throws -> AWSCredentialsLookup {
        guard !isDisabled else { return .notConfigured("IMDSv2: AWS_EC2_METADATA_DISABLED is true") }
        let client = RetryingHTTPClient(base: http, policy: RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(100)))

        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await client.send(
                HTTPRequest(method: "PUT", url: endpoint + "/latest/api/token",
                            headers: ["X-aws-ec2-metadata-token-ttl-seconds": String(Self.tokenTTLSeconds)],
                            timeout: timeout),
                deadline: deadline)
        } catch {
            return .notConfigured("IMDSv2: no metadata service at \(endpoint) (\(error))")
        }
        guard tokenResponse.isSuccess else {
            return .notConfigured("IMDSv2: token request answered HTTP \(tokenResponse.status)")
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self).trimmingASCIIWhitespace()
        let headers: HeaderFields = ["X-aws-ec2-metadata-token": String(token)]

        let roleResponse = try await get(Self.credentialsPath, headers: headers, client: client, deadline: deadline)
        guard roleResponse.status != 404 else { return .notConfigured("IMDSv2: the instance has no IAM role") }
        guard roleResponse.isSuccess else {
            throw AWSCredentialsError.endpointFailed(source: name, reason: "role name request answered HTTP \(roleResponse.status)")
        }
        guard let role = String(decoding: roleResponse.body, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map({ String($0).trimmingASCIIWhitespace() }),
            !role.isEmpty
        else { return .notConfigured("IMDSv2: the instance has no IAM role") }

        let path = Self.credentialsPath + AWSPercentEncoding.uriEncode(String(role))
        let credentialsResponse = try await get(path, headers: headers, client: client, deadline: deadline)
        guard credentialsResponse.isSuccess else {
            throw AWSCredentialsError.endpointFailed(
                source: name, reason: "credentials request for role \(role) answered HTTP \(credentialsResponse.status)")
        }
        return .found(try AWSTemporaryCredentialsDocument.parse(credentialsResponse.body, source: name))
    }

    private func get(_ path: String, headers: HeaderFields, client: RetryingHTTPClient,
                     deadline: Deadline) async throws -> HTTPResponse {
        do {
            return try await client.send(HTTPRequest(method: "GET", url: endpoint + path, headers: headers, timeout: timeout),
                                         deadline: deadline)
        } catch {
            throw AWSCredentialsError.endpointFailed(source: name, reason: "\(error)")
        }
    }
}
