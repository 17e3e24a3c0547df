#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who the App is: its numeric App ID or its client ID (`Iv1.…`); GitHub accepts either as `iss`.
public enum AppIdentity: Sendable, Equatable, CustomStringConvertible {
    case appID(Int64)
    case clientID(String)

    public init(parsing raw: String) {
        let trimmed = String(raw.trimmingASCIIWhitespace())
        if let id = Int64(trimmed), id > 0 { self = .appID(id) } else { self = .clientID(trimmed) }
    }

    /// The claim's JSON value: a number for an App ID, a string for a client ID.
    var jsonValue: String {
        switch self {
        case let .appID(id): String(id)
        case let .clientID(id):
            JSONText.string(id)
        }
    }

    public var description: String {
        switch self {
        case let .appID(id): "app \(id)"
        case let .clientID(id): "client \(id)"
        }
    }
}

/// Mints the App's JSON Web Token: RS256, `iat` 60 s in the past for clock drift, `exp` 9
/// minutes ahead (GitHub refuses more than 10).
public struct AppJWT: Sendable {
    public let identity: AppIdentity
    private let key: RSAPrivateKey

    public static let header = #"{"alg":"RS256","typ":"JWT"}"#
    public static let backdate: TimeInterval = 60
    public static let lifetime: TimeInterval = 9 * 60

    public init(identity: AppIdentity, key: RSAPrivateKey) {
        self.identity = identity
        self.key = key
    }

    public func token(now: Date) -> Secret {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return Secret(sign(iat: seconds - Int64(Self.backdate), exp: seconds + Int64(Self.lifetime)))
    }

    /// The compact JWS for exactly these claims, in GitHub's documented order.
    public func sign(iat: Int64, exp: Int64) -> String {
        let claims = #"{"iat":\#(iat),"exp":\#(exp),"iss":\#(identity.jsonValue)}"#
        return Self.compact(headerJSON: Self.header, claimsJSON: claims, key: key)
    }

    public static func compact(headerJSON: String, claimsJSON: String, key: RSAPrivateKey) -> String {
        let signingInput = Base64URL.encode(Array(headerJSON.utf8)) + "." + Base64URL.encode(Array(claimsJSON.utf8))
        return signingInput + "." + Base64URL.encode(key.signSHA256(Array(signingInput.utf8)))
    }
}
