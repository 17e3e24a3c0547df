/// A response body that could not be read as the operation's result. Only names and shapes
/// are reported, never body contents, which may hold secret values.
public enum AWSResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedXML(reason: String)
    case malformedJSON(reason: String)
    case unexpectedRoot(expected: String, found: String)
    case missingElement(String)

    public var description: String {
        switch self {
        case let .malformedXML(reason): "AWS response is not well-formed XML: \(reason)"
        case let .malformedJSON(reason): "AWS response is not the expected JSON: \(reason)"
        case let .unexpectedRoot(expected, found): "expected an AWS <\(expected)> response, got <\(found)>"
        case let .missingElement(name): "AWS response lacks <\(name)>"
        }
    }
}
