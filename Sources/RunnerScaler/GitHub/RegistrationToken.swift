#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A registration (or remove) token: valid for one hour, usable for one runner with
/// `config.sh --ephemeral` on servers without JIT.
public struct RegistrationToken: Sendable {
    public var token: Secret
    public var expiresAt: Date?

    public init(token: Secret, expiresAt: Date?) {
        self.token = token
        self.expiresAt = expiresAt
    }
}
