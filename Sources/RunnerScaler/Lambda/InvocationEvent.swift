#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The shapes an invocation (or a replay file) can take, recognised by their fields.
public enum InvocationEvent: Sendable {
    /// Function URL or API Gateway HTTP API (payload format 2.0).
    case httpV2(WebhookRequest)
    /// API Gateway REST API proxy (payload format 1.0).
    case httpV1(WebhookRequest)
    /// `{"headers": {...}, "body": "<exact body>"}`, the replay-only raw form.
    case rawDelivery(WebhookRequest)
    /// EventBridge scheduled event: run the sweep.
    case scheduled(time: String?)

    public var request: WebhookRequest? {
        switch self {
        case let .httpV2(r), let .httpV1(r), let .rawDelivery(r): r
        case .scheduled: nil
        }
    }

    public var shape: String {
        switch self {
        case .httpV2: "function-url"
        case .httpV1: "apigw-v1"
        case .rawDelivery: "raw"
        case .scheduled: "scheduled"
        }
    }

    public struct DecodingError: Error, Sendable, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    public static func decode(_ data: [UInt8]) throws(DecodingError) -> InvocationEvent {
        let object: Any
        do { object = try JSONReader.parse(data) } catch {
            throw DecodingError(message: "event is not valid JSON: \(error)")
        }
        guard let map = object as? [String: Any] else {
            throw DecodingError(message: "event must be a JSON object")
        }
        if (map["detail-type"] as? String) == "Scheduled Event" || (map["source"] as? String) == "aws.events"
            || (map["source"] as? String) == "aws.scheduler" {
            return .scheduled(time: map["time"] as? String)
        }
        guard map.keys.contains("body") || map.keys.contains("headers") else {
            throw DecodingError(message: "event is neither an HTTP event (Function URL, API Gateway v1/v2, raw delivery) nor a scheduled event")
        }
        let headers = try headerFields(map)
        let body = try bodyBytes(map)
        let request = WebhookRequest(headers: headers, body: body)
        if (map["version"] as? String) == "2.0" || map["rawPath"] != nil { return .httpV2(request) }
        if map["httpMethod"] != nil || map["resource"] != nil { return .httpV1(request) }
        return .rawDelivery(request)
    }

    private static func headerFields(_ map: [String: Any]) throws(DecodingError) -> HeaderFields {
        var fields = HeaderFields()
        var seen = Set<String>()
        if let single = map["headers"], !(single is JSONNull) {
            guard let dict = single as? [String: Any] else { throw DecodingError(message: "headers must be an object") }
            for key in dict.keys.sorted() {
                guard let value = dict[key] as? String else {
                    throw DecodingError(message: "header \(key) must be a string")
                }
                fields.append(key, value)
                seen.insert(key.lowercased())
            }
        }
        // API Gateway v1 may carry repeated headers only in multiValueHeaders.
        if let multi = map["multiValueHeaders"] as? [String: Any] {
            for key in multi.keys.sorted() where !seen.contains(key.lowercased()) {
                if let first = (multi[key] as? [Any])?.first as? String { fields.append(key, first) }
            }
        }
        // API Gateway v2 and Function URLs move cookies out of the headers; GitHub sends none.
        return fields
    }

    private static func bodyBytes(_ map: [String: Any]) throws(DecodingError) -> [UInt8] {
        guard let raw = map["body"], !(raw is JSONNull) else { return [] }
        guard let text = raw as? String else {
            throw DecodingError(message: "body must be a string (the exact bytes GitHub sent)")
        }
        let base64 = (map["isBase64Encoded"] as? Bool) ?? false
        guard base64 else { return Array(text.utf8) }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError(message: "body is marked isBase64Encoded but is not valid base64")
        }
        return Array(data)
    }
}
