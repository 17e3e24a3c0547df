import Foundation
@testable import RunnerScaler

/// Sits between an AWS client and the real server (moto): records every request as sent
/// and, where `fault` says so, answers in the server's place, for errors moto cannot be made
/// to produce (capacity, throttling).
final class AWSFaultInjectingHTTPClient: HTTPClient, @unchecked Sendable {
    struct Recorded: Sendable {
        var method: String
        var url: String
        var headers: HeaderFields
        var body: [UInt8]
        /// `Action` for Query calls, the `X-Amz-Target` for JSON ones; read once, when recorded.
        let action: String?

        init(method: String, url: String, headers: HeaderFields, body: [UInt8]) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            action = headers["x-amz-target"] ?? Self.parameter("Action", in: body)
        }

        /// The first value of the form parameter `name` in a Query-protocol body, decoded (only
        /// that pair is decoded: bodies carry kilobytes of user data).
        func parameter(_ name: String) -> String? { Self.parameter(name, in: body) }

        private static func parameter(_ name: String, in body: [UInt8]) -> String? {
            let prefix = Array((AWSPercentEncoding.formEncode(name) + "=").utf8)
            for pair in body.split(separator: UInt8(ascii: "&")) where pair.starts(with: prefix) {
                let value = String(decoding: pair.dropFirst(prefix.count), as: UTF8.self).replacing("+", with: " ")
                return AWSPercentEncoding.decode(value) ?? value
            }
            return nil
        }
    }

    private let base: any HTTPClient
    /// Given a request and how many earlier requests had the same action, an answer to
    /// give instead of the server's, or nil to pass the request on.
    private let fault: @Sendable (Recorded, Int) -> HTTPResponse?
    private let lock = NSLock()
    private var recorded: [Recorded] = []
    private var perAction: [String: Int] = [:]

    init(base: any HTTPClient = CurlHTTPClient(),
         fault: @escaping @Sendable (Recorded, Int) -> HTTPResponse? = { _, _ in nil }) {
        self.base = base
        self.fault = fault
    }

    var requests: [Recorded] { lock.withLock { recorded } }

    func requests(action: String) -> [Recorded] { requests.filter { $0.action == action } }

    func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse {
        let entry = Recorded(method: request.method, url: request.url, headers: request.headers, body: request.body)
        let earlier = lock.withLock {
            let n = perAction[entry.action ?? "", default: 0]
            perAction[entry.action ?? ""] = n + 1
            recorded.append(entry)
            return n
        }
        if let injected = fault(entry, earlier) { return injected }
        return try await base.send(request, deadline: deadline)
    }

    /// An EC2 error answer in EC2's own envelope.
    static func ec2Error(_ code: String, status: Int, message: String = "injected by the test") -> HTTPResponse {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>\(code)</Code>"
            + "<Message>\(message)</Message></Error></Errors><RequestID>test-\(code)</RequestID></Response>"
        return HTTPResponse(status: status, headers: ["Content-Type": "text/xml"], body: Array(xml.utf8))
    }
}
