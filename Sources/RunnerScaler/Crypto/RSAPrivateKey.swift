import COpenSSL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An RSA private key held by OpenSSL. PKCS#1 (`BEGIN RSA PRIVATE KEY`) and PKCS#8
/// (`BEGIN PRIVATE KEY`) PEM both load, raw or base64-encoded as a whole.
public final class RSAPrivateKey: @unchecked Sendable {
    // EVP_PKEY is immutable once loaded; each signature uses its own EVP_MD_CTX, so
    // concurrent signing is safe.
    private let key: OpaquePointer

    public enum LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        case notPEM
        case unreadable
        case notRSA

        public var description: String {
            switch self {
            case .notPEM:
                "not a PEM private key: expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----, or the base64 of such a PEM"
            case .unreadable: "the PEM private key could not be parsed (encrypted, truncated or corrupt)"
            case .notRSA: "the private key is not an RSA key; GitHub App keys are RSA"
            }
        }
    }

    public convenience init(_ material: Secret) throws(LoadError) {
        try self.init(pem: Self.pemText(material.exposedValue))
    }

    init(pem: String) throws(LoadError) {
        ERR_clear_error()
        let bytes = Array(pem.utf8)
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        // OpenSSL's error queue may describe the key; drop it so nothing can surface it later.
        ERR_clear_error()
        guard let loaded else { throw .unreadable }
        guard EVP_PKEY_get_base_id(loaded) == EVP_PKEY_RSA else {
            EVP_PKEY_free(loaded)
            throw .notRSA
        }
        key = loaded
    }

    deinit { EVP_PKEY_free(key) }

    /// Accepts the PEM itself (also with literal `\n` escapes, as some env files carry it) or
    /// base64 of the PEM.
    static func pemText(_ raw: String) throws(LoadError) -> String {
        let trimmed = String(raw.trimmingASCIIWhitespace())
        if trimmed.hasPrefix("-----BEGIN") {
            return trimmed.contains("\\n") ? trimmed.replacing("\\n", with: "\n") : trimmed
        }
        let compact = trimmed.filter { !$0.isWhitespace }
        if let data = Data(base64Encoded: compact), let decoded = String(data: data, encoding: .utf8),
           decoded.trimmingASCIIWhitespace().hasPrefix("-----BEGIN") {
            return decoded
        }
        throw .notPEM
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256"). Deterministic for a given key and input.
    public func signSHA256(_ message: [UInt8]) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL out of memory") }
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1, "EVP_DigestSignInit failed")
        var length = 0
        precondition(message.withUnsafeBufferPointer { EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count) } == 1)
        var signature = [UInt8](repeating: 0, count: length)
        let ok = message.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { EVP_DigestSign(context, $0.baseAddress, &length, input.baseAddress, input.count) }
        }
        precondition(ok == 1, "EVP_DigestSign failed")
        return Array(signature.prefix(length))
    }
}
