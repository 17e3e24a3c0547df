#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns a verified request into a `Delivery`. Pure: no I/O, no clock.
public enum DeliveryDecoder {
    public static func decode(_ request: WebhookRequest) throws(WebhookRejection) -> Delivery {
        guard let event = request.eventName?.trimmingASCIIWhitespace(), !event.isEmpty else {
            throw .missingEventHeader
        }
        let json = try jsonPayload(of: request)
        let decoder = JSONDecoder()
        do {
            switch event {
            case "workflow_job":
                return .workflowJob(try decoder.decode(WorkflowJobEvent.self, from: json))
            case "ping":
                return .ping(try decoder.decode(PingEvent.self, from: json))
            default:
                // Still insist on a JSON object so garbage is a 400 whatever the event says.
                let other = try decoder.decode(AnyAction.self, from: json)
                return .other(event: String(event), action: other.action)
            }
        } catch {
            throw .invalidBody(describe(error, event: String(event), json: json))
        }
    }

    /// The JSON document: the body itself, or the `payload` field of a form-encoded body.
    static func jsonPayload(of request: WebhookRequest) throws(WebhookRejection) -> Data {
        let contentType = (request.headers["Content-Type"] ?? "application/json")
            .split(separator: ";").first.map { $0.trimmingASCIIWhitespace().lowercased() } ?? ""
        switch contentType {
        case "application/json", "":
            return Data(request.body)
        case "application/x-www-form-urlencoded":
            guard let payload = FormURLEncoding.value(named: "payload", in: request.body) else {
                throw .invalidBody("form-encoded body has no payload= field")
            }
            return Data(payload.utf8)
        default:
            throw .unsupportedContentType(contentType)
        }
    }

    private struct AnyAction: Decodable {
        var action: String?
    }

    /// JSONDecoder does not say where the syntax breaks; `JSONReader` does. Only called on
    /// the error path, so valid bodies are parsed once.
    static func syntaxDetail(_ json: Data, fallback: String) -> String {
        do { _ = try JSONReader.parse(json) } catch { return error.description }
        return fallback
    }

    /// A message that names the problem and where it is, without echoing the body.
    static func describe(_ error: any Error, event: String, json: Data) -> String {
        guard let error = error as? DecodingError else { return "body could not be decoded: \(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the top level"
                : codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            if json.isEmpty { return "body is empty; expected a JSON object" }
            return "body is not valid JSON: " + syntaxDetail(json, fallback: context.debugDescription)
        case let .dataCorrupted(context):
            return "\(event) payload has an invalid value at \(path(context.codingPath))"
        case let .keyNotFound(key, context):
            return "\(event) payload is missing \(path(context.codingPath + [key]))"
        case let .typeMismatch(type, context):
            return "\(event) payload has the wrong type at \(path(context.codingPath)): expected \(type)"
        case let .valueNotFound(type, context):
            return "\(event) payload has null at \(path(context.codingPath)) where \(type) is required"
        @unknown default:
            return "\(event) payload could not be decoded"
        }
    }
}
