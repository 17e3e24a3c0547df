/// An `awsJson1_1` request (SSM, Secrets Manager): a POST to `/` whose operation is named by
/// `X-Amz-Target` and whose parameters are a JSON object, written exactly as botocore's
/// `json.dumps` writes it (`{"Name": "x", "WithDecryption": true}`: `", "` and `": "`
/// separators, members in the given order, non-ASCII as lower-case `\uXXXX`).
public struct AWSJSONRequest: Sendable, Equatable {
    public static let contentType = "application/x-amz-json-1.1"

    public enum Value: Sendable, Hashable {
        case string(String)
        case bool(Bool)
        case int(Int)
        case strings([String])
    }

    /// `AmazonSSM.GetParameter`, `secretsmanager.GetSecretValue`.
    public var target: String
    public var members: [(name: String, value: Value)]

    public init(target: String, members: [(name: String, value: Value)]) {
        self.target = target
        self.members = members
    }

    public var body: String {
        "{" + members.map { Self.quote($0.name) + ": " + Self.encode($0.value) }.joined(separator: ", ") + "}"
    }

    /// The unsigned POST to `host`, with the headers in botocore's order.
    public func awsRequest(host: String) -> AWSRequest {
        AWSRequest(method: "POST", host: host, path: "/",
                   headers: [("X-Amz-Target", target), ("Content-Type", Self.contentType)],
                   body: Array(body.utf8))
    }

    public static func == (a: AWSJSONRequest, b: AWSJSONRequest) -> Bool {
        a.target == b.target && a.members.elementsEqual(b.members) { $0.name == $1.name && $0.value == $1.value }
    }

    private static func encode(_ value: Value) -> String {
        switch value {
        case let .string(s): quote(s)
        case let .bool(b): b ? "true" : "false"
        case let .int(i): String(i)
        case let .strings(list): "[" + list.map(quote).joined(separator: ", ") + "]"
        }
    }

    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// Python's `json.dumps` string form with `ensure_ascii=True`.
    static func quote(_ s: String) -> String {
        var out = [UInt8(ascii: "\"")]
        func escapeUnit(_ unit: UInt16) {
            out += Array("\\u".utf8)
            for shift in stride(from: 12, through: 0, by: -4) { out.append(lowerHex[Int((unit >> UInt16(shift)) & 0xf)]) }
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += Array("\\\"".utf8)
            case "\\": out += Array("\\\\".utf8)
            case "\n": out += Array("\\n".utf8)
            case "\r": out += Array("\\r".utf8)
            case "\t": out += Array("\\t".utf8)
            case "\u{08}": out += Array("\\b".utf8)
            case "\u{0C}": out += Array("\\f".utf8)
            case " "..."~": out.append(UInt8(scalar.value))
            default: for unit in String(scalar).utf16 { escapeUnit(unit) }
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}

/// An `awsJson1_1` operation with typed parameters.
public protocol AWSJSONOperation: Sendable {
    /// The `X-Amz-Target` value.
    static var target: String { get }
    /// The request members in botocore's order; absent optionals are left out.
    var jsonMembers: [(name: String, value: AWSJSONRequest.Value)] { get }
}

extension AWSJSONOperation {
    public var jsonRequest: AWSJSONRequest { AWSJSONRequest(target: Self.target, members: jsonMembers) }

    public func awsRequest(host: String) -> AWSRequest { jsonRequest.awsRequest(host: host) }
}
