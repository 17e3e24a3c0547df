#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A `WebhookResponse` in the response shape of the event that asked for it. Function URLs and
/// API Gateway HTTP APIs (payload 2.0) and REST APIs (payload 1.0) all take
/// `{"statusCode", "headers", "body", "isBase64Encoded"}`; without that shape a Function URL
/// would answer 200 with the JSON as body, and API Gateway v1 would answer 502.
public enum LambdaHTTPResponse {
    public enum Shape: Sendable, Equatable {
        /// Function URL, API Gateway HTTP API (payload 2.0); also used for raw deliveries.
        case v2
        /// API Gateway REST API proxy integration (payload 1.0).
        case v1
    }

    public static func shape(of event: InvocationEvent) -> Shape? {
        switch event {
        case .httpV2, .rawDelivery: .v2
        case .httpV1: .v1
        case .scheduled: nil
        }
    }

    /// For an event that did not decode: does it still look like an HTTP event, and which?
    /// Then its caller gets an HTTP 400 rather than a Lambda function error, which a Function
    /// URL would turn into a bare 502.
    public static func shape(ofMalformed event: [UInt8]) -> Shape? {
        guard let map = JSONReader.object(event) else { return nil }
        if map["httpMethod"] != nil || map["resource"] != nil || map["multiValueHeaders"] != nil { return .v1 }
        let httpKeys = ["requestContext", "rawPath", "routeKey", "headers", "body", "isBase64Encoded"]
        if httpKeys.contains(where: { map[$0] != nil }) || (map["version"] as? String) == "2.0" { return .v2 }
        return nil
    }

    /// The serialised response document.
    public static func encode(_ response: WebhookResponse, shape: Shape) -> [UInt8] {
        var object: [String: Any] = [
            "statusCode": response.status,
            "headers": ["content-type": response.contentType],
            "body": response.body,
            "isBase64Encoded": false,
        ]
        if shape == .v1 { object["multiValueHeaders"] = ["content-type": [response.contentType]] }
        return (try? JSONText.data(object, escapingSlashes: false)) ?? []
    }
}
