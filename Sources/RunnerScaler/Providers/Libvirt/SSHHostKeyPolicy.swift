/// How the host's identity is checked.
public enum SSHHostKeyPolicy: Sendable, Equatable {
    /// `StrictHostKeyChecking=yes` against these known_hosts lines only (never the user's or
    /// the system's files): the host must present one of these keys.
    case strict(knownHosts: String)
    /// Lab use: accept any host key (`StrictHostKeyChecking=no`, `UserKnownHostsFile=/dev/null`).
    case insecureAcceptAny

    /// The name ssh looks the key up under (`HostKeyAlias`). Pinning the lookup to one alias
    /// makes a configured line work whether it was written as `ssh-ed25519 AAAA…`,
    /// `host ssh-ed25519 AAAA…` or `[host]:2222 ssh-ed25519 AAAA…` (ssh-keyscan's form for a
    /// non-default port), which otherwise fail to match in surprising ways.
    static let alias = "runner-scaler-target"

    /// The known_hosts file we write: each configured key under `alias`.
    static func knownHostsFile(from entry: String) throws(SSHError) -> String {
        var lines: [String] = []
        for raw in entry.split(whereSeparator: \.isNewline) {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            if first.hasPrefix("@") {
                throw .invalidKnownHosts("markers such as \(first) are not supported; give the host's public key line")
            }
            // `type key [comment]` or `hosts type key [comment]`.
            let keyFields = isKeyType(first) ? Array(fields.prefix(2)) : Array(fields.dropFirst().prefix(2))
            guard keyFields.count == 2, isKeyType(keyFields[0]), isBase64(keyFields[1]) else {
                throw .invalidKnownHosts("expected a line like `HOST ssh-ed25519 AAAA…` (from ssh-keyscan -p PORT HOST)")
            }
            lines.append("\(alias) \(keyFields[0]) \(keyFields[1])")
        }
        guard !lines.isEmpty else {
            throw .invalidKnownHosts("is empty; run ssh-keyscan -p PORT HOST on a trusted network and paste a line")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func isKeyType(_ s: Substring) -> Bool {
        (s.hasPrefix("ssh-") || s.hasPrefix("ecdsa-") || s.hasPrefix("sk-"))
            && s.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || "-@.".utf8.contains($0) }
    }

    private static func isBase64(_ s: Substring) -> Bool {
        s.count >= 16 && s.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || "+/=".utf8.contains($0) }
    }
}
