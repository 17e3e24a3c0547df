import COpenSSL

/// Keyed-hash message authentication over OpenSSL's `EVP_Q_mac` (the OpenSSL 3 API; the
/// older `HMAC()` is deprecated).
public enum HMAC {
    public enum Digest: String, Sendable {
        case sha256 = "SHA256"
        case sha1 = "SHA1"

        var length: Int { self == .sha256 ? 32 : 20 }
    }

    public static func authenticationCode(
        _ digest: Digest = .sha256,
        key: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var out = [UInt8](repeating: 0, count: digest.length)
        var outLength = 0
        let produced = keyBytes.withUnsafeBytes { k in
            messageBytes.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { o in
                    EVP_Q_mac(
                        nil, "HMAC", nil, digest.rawValue, nil,
                        k.baseAddress ?? UnsafeRawPointer(bitPattern: 1), k.count,
                        m.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1), m.count,
                        o.bindMemory(to: UInt8.self).baseAddress, o.count, &outLength)
                }
            }
        }
        // EVP_Q_mac only fails on allocation failure or an unknown digest name; both are
        // programming errors, not input errors.
        precondition(produced != nil && outLength == digest.length, "OpenSSL HMAC failed")
        return out
    }

    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        authenticationCode(.sha256, key: key, message: message)
    }
}
