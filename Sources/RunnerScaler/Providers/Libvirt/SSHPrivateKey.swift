#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An OpenSSH private key, normalised to PEM text with a trailing newline (ssh rejects a key
/// file without one). Accepts the PEM itself or base64 of it, which is how the key usually
/// travels in an environment variable (`SSH_PRIVATE_KEY`). Prints as `<redacted>`.
public struct SSHPrivateKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let pem: Secret

    /// `source` names where the value came from, for the error only.
    public init(_ value: Secret, source: String) throws(LibvirtError) {
        var text = value.exposedValue.trimmingASCIIWhitespace()
        // A PEM pasted into a single-line setting often arrives with literal "\n".
        if !text.contains("\n"), text.contains("\\n") {
            text = text.replacing("\\n", with: "\n").trimmingASCIIWhitespace()
        }
        if !text.hasPrefix("-----BEGIN ") {
            let compact = text.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact),
                  let decoded = String(data: data, encoding: .utf8)?.trimmingASCIIWhitespace(),
                  decoded.hasPrefix("-----BEGIN ") else {
                throw .unreadablePrivateKey(
                    reference: source, why: "is neither a PEM private key (-----BEGIN … PRIVATE KEY-----) nor base64 of one")
            }
            text = decoded
        }
        guard text.contains("PRIVATE KEY-----"), text.hasSuffix("-----") else {
            throw .unreadablePrivateKey(reference: source, why: "is not a complete PEM private key (missing the END line?)")
        }
        pem = Secret(text + "\n")
    }

    private init(unchecked pem: Secret) { self.pem = pem }

    /// Stands in for the key where none is needed (dry-run command lines).
    static var placeholder: SSHPrivateKey { SSHPrivateKey(unchecked: Secret("")) }

    /// The lines that must never appear in a log or an error (the key body).
    var sensitiveLines: [String] {
        pem.exposedValue.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
