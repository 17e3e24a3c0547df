#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An error answer from an `awsJson1_1` service:
/// `{"__type": "com.amazonaws.secretsmanager#ResourceNotFoundException", "Message": "..."}`.
/// It holds only what the service sent back, never request contents or credentials.
public struct AWSJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bare code, `ResourceNotFoundException`, `ParameterNotFound`, `ThrottlingException`.
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var requestID: String?

    public init(code: String, message: String, httpStatus: Int, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestID = requestID
    }

    public var disposition: AWSErrorDisposition { AWSErrorDisposition.classify(code: code, httpStatus: httpStatus) }

    public var description: String {
        "AWS \(code): \(message) (HTTP \(httpStatus)" + (requestID.map { ", request \($0)" } ?? "") + ")"
    }

    /// Reads a failed call's body the way botocore does: the code from `__type` (else the
    /// `X-Amzn-ErrorType` header, else the status), with any `namespace#` prefix and `:…`
    /// suffix removed; the message from `message` or `Message`. Pass the `X-Amzn-RequestId`
    /// header as `requestID`.
    public static func parse(httpStatus: Int, body: some Collection<UInt8>, errorTypeHeader: String? = nil,
                             requestID: String? = nil) -> AWSJSONError {
        let object = JSONReader.object(body) ?? [:]
        var code = (object["__type"] as? String) ?? errorTypeHeader ?? String(httpStatus)
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
        return AWSJSONError(code: code, message: message, httpStatus: httpStatus, requestID: requestID)
    }
}
