/// Where a secret's value comes from. Any secret setting may hold a literal value or one of
/// these references.
public enum SecretReference: Sendable, Equatable, CustomStringConvertible {
    case literal(Secret)
    /// `file:/path` — the file's contents, without a trailing newline.
    case file(path: String)
    /// `aws-sm:<name-or-arn>[#json-key]` — Secrets Manager `GetSecretValue`.
    case awsSecretsManager(id: String, jsonKey: String?)
    /// `aws-ssm:<parameter-name>` — SSM `GetParameter` with decryption.
    case awsParameterStore(name: String)

    public init(parsing raw: String) {
        if raw.hasPrefix("file:") {
            self = .file(path: String(raw.dropFirst("file:".count)))
        } else if raw.hasPrefix("aws-sm:") {
            let rest = raw.dropFirst("aws-sm:".count)
            // ARNs contain ':' but never '#', so '#' safely separates the JSON key.
            if let hash = rest.lastIndex(of: "#") {
                self = .awsSecretsManager(id: String(rest[..<hash]), jsonKey: String(rest[rest.index(after: hash)...]))
            } else {
                self = .awsSecretsManager(id: String(rest), jsonKey: nil)
            }
        } else if raw.hasPrefix("aws-ssm:") {
            self = .awsParameterStore(name: String(raw.dropFirst("aws-ssm:".count)))
        } else {
            self = .literal(Secret(raw))
        }
    }

    /// Safe to log: never the value, only where it lives.
    public var description: String {
        switch self {
        case .literal: "<literal>"
        case let .file(path): "file:\(path)"
        case let .awsSecretsManager(id, key): "aws-sm:\(id)" + (key.map { "#\($0)" } ?? "")
        case let .awsParameterStore(name): "aws-ssm:\(name)"
        }
    }

    public var isAWS: Bool {
        switch self {
        case .awsSecretsManager, .awsParameterStore: true
        default: false
        }
    }

    /// A problem with the reference itself, found before any resolution.
    public var syntaxProblem: String? {
        switch self {
        case let .literal(s): s.isEmpty ? "is empty" : nil
        case let .file(path): path.hasPrefix("/") ? nil : "file: reference needs an absolute path"
        case let .awsSecretsManager(id, key):
            id.isEmpty ? "aws-sm: reference needs a secret name or ARN"
                : (key?.isEmpty == true ? "aws-sm: reference has an empty #json-key" : nil)
        case let .awsParameterStore(name): name.isEmpty ? "aws-ssm: reference needs a parameter name" : nil
        }
    }
}
