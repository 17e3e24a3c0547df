import COpenSSL

public enum SHA256 {
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(data)
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { o in
                EVP_Digest(input.baseAddress ?? UnsafeRawPointer(bitPattern: 1), input.count,
                           o.bindMemory(to: UInt8.self).baseAddress, &length, EVP_sha256(), nil)
            }
        }
        precondition(ok == 1 && length == 32, "OpenSSL SHA-256 failed")
        return out
    }

    public static func hexHash(_ data: some Collection<UInt8>) -> String {
        Hex.encode(hash(data))
    }
}
