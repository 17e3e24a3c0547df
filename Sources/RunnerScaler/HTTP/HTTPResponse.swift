#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HeaderFields
    public var body: [UInt8]

    public init(status: Int, headers: HeaderFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The server's own explanation: a JSON `message` (GitHub), `errors` (Metal) or `Message`,
    /// else the start of the body. Bounded, so a huge error page cannot flood a log line.
    public var serverMessage: String {
        if let object = JSONReader.object(body) {
            if let message = object["message"] as? String ?? object["Message"] as? String { return String(message.prefix(500)) }
            if let errors = object["errors"] as? [Any] {
                return String(errors.map { ($0 as? String) ?? (($0 as? [String: Any])?["message"] as? String) ?? "\($0)" }
                    .joined(separator: "; ").prefix(500))
            }
            if let error = object["error"] as? String { return String(error.prefix(500)) }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingASCIIWhitespace()
        return text.isEmpty ? HTTPResponse.reason(status) : String(text)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "HTTP \(status)"
        }
    }
}
