#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns a `SecretReference` into its value. Resolution happens once at startup (once per
/// cold start in Lambda), never per event.
public protocol SecretResolving: Sendable {
    func resolve(_ reference: SecretReference) async throws -> Secret
}

public enum SecretResolutionError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreadableFile(path: String, reason: String)
    case empty(reference: String)
    case unsupported(reference: String, why: String)
    case lookupFailed(reference: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): "cannot read secret file \(path): \(reason)"
        case let .empty(reference): "secret \(reference) is empty"
        case let .unsupported(reference, why): "cannot resolve \(reference): \(why)"
        case let .lookupFailed(reference, reason): "cannot resolve \(reference): \(reason)"
        }
    }
}

/// Literal values and `file:` references; AWS references go to `aws`, when one is given.
public struct StandardSecretResolver: SecretResolving {
    private let aws: (any SecretResolving)?

    public init(aws: (any SecretResolving)? = nil) { self.aws = aws }

    public func resolve(_ reference: SecretReference) async throws -> Secret {
        switch reference {
        case let .literal(secret):
            guard !secret.isEmpty else { throw SecretResolutionError.empty(reference: "<literal>") }
            return secret
        case let .file(path):
            let data: [UInt8]
            do { data = try LocalFile.read(path) } catch {
                throw SecretResolutionError.unreadableFile(path: path, reason: error.reason)
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw SecretResolutionError.empty(reference: reference.description) }
            return Secret(text)
        case .awsSecretsManager, .awsParameterStore:
            guard let aws else {
                throw SecretResolutionError.unsupported(
                    reference: reference.description, why: "AWS secret resolution is not configured")
            }
            return try await aws.resolve(reference)
        }
    }
}
