/// A request that got no usable HTTP response. Carries the method and path, never headers,
/// so no credential can leak through it.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case timedOut = "timed out"
        case deadlineExceeded = "deadline exceeded"
        case connectionFailed = "connection failed"
        case tls = "TLS failure"
        case responseTooLarge = "response too large"
        case invalidRequest = "invalid request"
        case transport = "transport error"
    }

    public var kind: Kind
    public var method: String
    public var path: String
    public var detail: String

    public init(_ kind: Kind, method: String, path: String, detail: String = "") {
        self.kind = kind
        self.method = method
        self.path = path
        self.detail = detail
    }

    /// Worth another attempt if the deadline allows.
    public var isTransient: Bool {
        switch kind {
        case .timedOut, .connectionFailed, .transport: true
        case .deadlineExceeded, .tls, .responseTooLarge, .invalidRequest: false
        }
    }

    public var description: String {
        "\(method) \(path): \(kind.rawValue)" + (detail.isEmpty ? "" : " (\(detail))")
    }
}

/// An HTTP response whose status the caller could not accept.
public struct HTTPStatusError: Error, Sendable, CustomStringConvertible, Equatable {
    public var status: Int
    public var method: String
    public var path: String
    public var message: String

    public init(status: Int, method: String, path: String, message: String) {
        self.status = status
        self.method = method
        self.path = path
        self.message = message
    }

    public init(_ response: HTTPResponse, for request: HTTPRequest) {
        self.init(status: response.status, method: request.method, path: request.path, message: response.serverMessage)
    }

    public var description: String { "\(method) \(path) returned \(status): \(message)" }
}
