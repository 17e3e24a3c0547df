#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SSM `GetParameter`'s answer. The value is a `Secret`: parameters hold keys and tokens.
public struct SSMGetParameterResponse: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public var name: String
        /// `String`, `StringList` or `SecureString`.
        public var type: String?
        public var value: Secret
        public var version: Int?
        public var arn: String?
        public var lastModifiedDate: Date?
        public var dataType: String?

        public init(name: String, type: String? = nil, value: Secret, version: Int? = nil, arn: String? = nil,
                    lastModifiedDate: Date? = nil, dataType: String? = nil) {
            self.name = name
            self.type = type
            self.value = value
            self.version = version
            self.arn = arn
            self.lastModifiedDate = lastModifiedDate
            self.dataType = dataType
        }
    }

    public var parameter: Parameter

    public init(parameter: Parameter) { self.parameter = parameter }

    /// Reads a success body; `AWSResponseError` when it is not one.
    public init(json body: some Collection<UInt8>) throws(AWSResponseError) {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch {
            throw .malformedJSON(reason: "GetParameter result without Parameter.Name and Parameter.Value")
        }
        let p = wire.Parameter
        self.init(parameter: Parameter(
            name: p.Name, type: p.Type, value: Secret(p.Value), version: p.Version, arn: p.ARN,
            lastModifiedDate: p.LastModifiedDate.map(Date.init(timeIntervalSince1970:)), dataType: p.DataType))
    }

    private struct Wire: Decodable {
        struct WireParameter: Decodable {
            var Name: String
            var `Type`: String?
            var Value: String
            var Version: Int?
            var ARN: String?
            var LastModifiedDate: Double?
            var DataType: String?
        }

        var Parameter: WireParameter
    }
}
