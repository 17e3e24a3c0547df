#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The third link of the chain: the credentials endpoint ECS tasks, EKS Pod Identity and
/// Lambda-like containers provide, named by `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// (relative to `http://169.254.170.2`) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the
/// `Authorization` value from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch,
/// since EKS rotates it) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct AWSContainerCredentials: AWSCredentialsSource {
    public static let ecsHost = "http://169.254.170.2"
    /// Plain-HTTP hosts botocore accepts in a full URI: loopback and the ECS/EKS agents.
    static let allowedHTTPHosts: Set<String> = ["localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    public let environment: [String: String]
    public let http: any HTTPClient
    /// Per attempt; botocore uses 2 s and three attempts.
    public var timeout: Duration = .seconds(2)
    public var attempts: Int = 3

    public init(environment: [String: String], http: any HTTPClient) {
        self.environment = environment
        self.http = http
    }

    public var name: String { "container" }

    /// The URL to call, or nil when neither variable is set.
    public func endpointURL() throws(AWSCredentialsError) -> String? {
        if let relative = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return Self.ecsHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = environment.nonEmpty("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return nil }
        let lower = full.lowercased()
        if lower.hasPrefix("https://") { return full }
        guard lower.hasPrefix("http://") else {
            throw .disallowedEndpoint(source: name, url: full, why: "only http and https URIs are supported")
        }
        let host = ProxySettings.host(of: full).lowercased()
        guard Self.allowedHTTPHosts.contains(host) || host.hasPrefix("127.") else {
            throw .disallowedEndpoint(source: name, url: full,
                                      why: "plain http is only allowed to loopback or the ECS/EKS agent addresses")
        }
        return full
    }

    func authorization() throws(AWSCredentialsError) -> String? {
        var token: String?
        if let path = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            do {
                token = String(String(decoding: try LocalFile.read(path), as: UTF8.self).trimmingASCIIWhitespace())
            } catch {
                throw .unreadableFile(path: path, reason: error.reason)
            }
        } else {
            token = environment.nonEmpty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        }
        // A line break would let the token inject further headers.
        if let token, token.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw .endpointFailed(source: name, reason: "the authorization token contains a line break")
        }
        return token.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func load(deadline: Deadline) async throws -> AWSCredentialsLookup {
        guard let url = try endpointURL() else {
            return .notConfigured("container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set")
        }
        var headers: HeaderFields = ["Accept": "application/json"]
        if let token = try authorization() { headers.append("Authorization", token) }
        let request = HTTPRequest(method: "GET", url: url, headers: headers, timeout: timeout)
        let client = RetryingHTTPClient(base: http, policy: RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(100)))
        let response: HTTPResponse
        do {
            response = try await client.send(request, deadline: deadline)
        } catch {
            throw AWSCredentialsError.endpointFailed(source: name, reason: "\(error)")
        }
        guard response.isSuccess else {
            throw AWSCredentialsError.endpointFailed(source: name, reason: "HTTP \(response.status) from \(request.path)")
        }
        return .found(try AWSTemporaryCredentialsDocument.parse(response.body, source: name))
    }
}
