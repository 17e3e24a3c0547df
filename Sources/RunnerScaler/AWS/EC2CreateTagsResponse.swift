#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `CreateTagsResponse`: EC2 answers `<return>true</return>`; moto sends only the request ID.
public struct EC2CreateTagsResponse: Sendable, Hashable {
    public var requestID: String?
    /// False only when EC2 explicitly says `<return>false</return>`.
    public var succeeded: Bool

    public init(requestID: String?, succeeded: Bool = true) {
        self.requestID = requestID
        self.succeeded = succeeded
    }

    /// Throws `EC2Error` for an error envelope, `AWSResponseError` for anything else.
    public init(xml body: some Collection<UInt8>) throws {
        let root = try EC2Error.successRoot(body, expected: ["CreateTagsResponse"])
        self.init(requestID: root.string("requestId"),
                  succeeded: root.string("return")?.trimmingASCIIWhitespace() != "false")
    }
}
