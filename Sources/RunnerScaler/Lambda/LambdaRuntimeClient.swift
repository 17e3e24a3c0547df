/// The Lambda Runtime API (version 2018-06-01) as a custom runtime uses it: fetch the next
/// event, post its response or error, or report that initialisation failed.
public struct LambdaRuntimeClient: Sendable {
    public static let version = "2018-06-01"

    /// `host:port` from `AWS_LAMBDA_RUNTIME_API`.
    public let endpoint: String
    private let http: any HTTPClient

    public init(endpoint: String, http: any HTTPClient) throws(LambdaRuntimeError) {
        let trimmed = String(endpoint.trimmingASCIIWhitespace())
        guard let colon = trimmed.lastIndex(of: ":"), colon != trimmed.startIndex,
              let port = Int(trimmed[trimmed.index(after: colon)...]), (1...65_535).contains(port),
              !trimmed.contains("/"), !trimmed.contains("@")
        else { throw .invalidEndpoint(endpoint) }
        self.endpoint = trimmed
        self.http = http
    }

    /// On libcurl, always direct: the Runtime API is inside the sandbox, and a proxy named in
    /// HTTPS_PROXY/HTTP_PROXY (which the function's own outbound calls may need) must never
    /// see event payloads.
    public static func direct(endpoint: String) throws(LambdaRuntimeError) -> LambdaRuntimeClient {
        var configuration = CurlHTTPClient.Configuration()
        configuration.proxy = .none
        // Lambda allows 6 MB synchronous payloads; keep headroom for the event envelope.
        configuration.maxResponseBytes = 16 * 1024 * 1024
        return try LambdaRuntimeClient(endpoint: endpoint, http: CurlHTTPClient(configuration: configuration))
    }

    private func url(_ path: String) -> String { "http://\(endpoint)/\(Self.version)\(path)" }

    /// Blocks until Lambda has an event. No timeout: between events the sandbox is frozen, and
    /// the call legitimately takes as long as the function stays idle.
    public func next() async throws -> LambdaInvocation {
        let request = HTTPRequest(method: "GET", url: url("/runtime/invocation/next"), timeout: .seconds(86_400 * 365))
        let response = try await http.send(request, deadline: .none)
        guard response.status == 200 else { throw Self.unexpected(response, request) }
        return try LambdaInvocation(response: response)
    }

    /// Posts the function's result for `requestID`.
    public func respond(to requestID: String, body: [UInt8], contentType: String = "application/json") async throws {
        let request = HTTPRequest(method: "POST", url: url("/runtime/invocation/\(Self.pathSegment(requestID))/response"),
                                  headers: ["Content-Type": contentType], body: body, timeout: .seconds(30))
        try await post(request)
    }

    /// Reports that the invocation `requestID` failed.
    public func fail(_ requestID: String, _ report: LambdaErrorReport) async throws {
        try await post(errorRequest(path: "/runtime/invocation/\(Self.pathSegment(requestID))/error", report))
    }

    /// Reports a startup failure (bad configuration, unreadable secret). Lambda answers the
    /// pending invocation with it; the runtime should exit afterwards.
    public func initFailed(_ report: LambdaErrorReport) async throws {
        try await post(errorRequest(path: "/runtime/init/error", report))
    }

    private func errorRequest(path: String, _ report: LambdaErrorReport) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url(path),
                    headers: ["Content-Type": LambdaErrorReport.contentType,
                              "Lambda-Runtime-Function-Error-Type": report.headerValue],
                    body: report.body, timeout: .seconds(30))
    }

    private func post(_ request: HTTPRequest) async throws {
        let response = try await http.send(request, deadline: .none)
        // The API documents 202 Accepted; any 2xx means the same.
        guard response.isSuccess else { throw Self.unexpected(response, request) }
    }

    private static func unexpected(_ response: HTTPResponse, _ request: HTTPRequest) -> LambdaRuntimeError {
        .unexpectedStatus(method: request.method, path: request.path, status: response.status, message: response.serverMessage)
    }

    /// Request ids are UUIDs; anything else is percent-encoded rather than trusted into a path.
    static func pathSegment(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
