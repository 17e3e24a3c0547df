/// An EC2 API operation whose parameters are sent with the Query protocol.
public protocol EC2QueryRequest: Sendable {
    /// The operation name, sent as `Action`.
    static var action: String { get }
    /// The operation's parameters, flattened to Query names (`Filter.1.Value.2`) in the order
    /// botocore sends them. `Action` and `Version` are not included.
    var queryParameters: [(String, String)] { get }
}

public enum EC2API {
    public static let version = "2016-11-15"

    /// The regional endpoint's host, `ec2.<region>.amazonaws.com`.
    public static func host(region: String) -> String { "ec2.\(region).amazonaws.com" }
}

extension EC2QueryRequest {
    /// The form-encoded body, byte for byte what botocore sends.
    public var formBody: String {
        AWSQuerySerializer.body(action: Self.action, version: EC2API.version, parameters: queryParameters)
    }

    /// The unsigned POST to `host` (`EC2API.host(region:)`, or an emulator's `host:port`).
    public func awsRequest(host: String) -> AWSRequest {
        AWSQuerySerializer.request(host: host, action: Self.action, version: EC2API.version,
                                   parameters: queryParameters)
    }
}
