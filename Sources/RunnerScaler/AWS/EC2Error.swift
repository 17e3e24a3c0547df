/// An error answer from the EC2 Query API:
/// `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
/// It holds only what EC2 sent back, so its description cannot contain our credentials.
public struct EC2Error: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    /// nil when the error was found in a body without the HTTP exchange at hand.
    public var httpStatus: Int?
    public var requestID: String?

    public init(code: String, message: String, httpStatus: Int? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
    }

    public var disposition: AWSErrorDisposition { AWSErrorDisposition.classify(code: code, httpStatus: httpStatus) }

    public var description: String {
        var s = "EC2 \(code): \(message)"
        var context: [String] = []
        if let httpStatus { context.append("HTTP \(httpStatus)") }
        if let requestID { context.append("request \(requestID)") }
        if !context.isEmpty { s += " (\(context.joined(separator: ", ")))" }
        return s
    }

    /// Reads the error from a failed call's body. A body that is not the envelope (an HTML
    /// page from a proxy, an empty 503) still yields an error, named after the status.
    public static func parse(httpStatus: Int, body: some Collection<UInt8>) -> EC2Error {
        if let root = try? AWSXMLElement.parse(body), let error = EC2Error(envelope: root, httpStatus: httpStatus) {
            return error
        }
        return EC2Error(code: "HTTP\(httpStatus)", message: "EC2 answered HTTP \(httpStatus) without an error document",
                        httpStatus: httpStatus)
    }

    /// nil unless `root` is the error envelope. EC2 answers `<Response><Errors><Error>`;
    /// moto's authentication errors and the other Query services (IAM, STS) answer
    /// `<ErrorResponse>` with the `<Error>` directly inside or wrapped in `<Errors>`.
    init?(envelope root: AWSXMLElement, httpStatus: Int?) {
        let first: AWSXMLElement?
        switch root.name {
        case "Response":
            guard let errors = root.child("Errors") else { return nil }
            first = errors.child("Error")
        case "ErrorResponse":
            first = root.child("Errors")?.child("Error") ?? root.child("Error")
        default:
            return nil
        }
        self.init(code: first?.string("Code") ?? "Unknown", message: first?.string("Message") ?? "",
                  httpStatus: httpStatus, requestID: root.string("RequestID") ?? root.string("RequestId"))
    }

    /// Parses a success body: the root must be `<expected>`, and an error envelope is thrown
    /// as the `EC2Error` it is.
    static func successRoot(_ body: some Collection<UInt8>, expected: Set<String>) throws -> AWSXMLElement {
        let root = try AWSXMLElement.parse(body)
        if let error = EC2Error(envelope: root, httpStatus: nil) { throw error }
        guard expected.contains(root.name) else {
            throw AWSResponseError.unexpectedRoot(expected: expected.sorted().joined(separator: "|"), found: root.name)
        }
        return root
    }
}
