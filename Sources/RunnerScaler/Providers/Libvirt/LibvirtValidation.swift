/// Checks on every value that reaches a host: names become domain and file names (so they
/// are held to a strict alphabet), free text is escaped on the way out but must be something
/// a shell word and an XML document can carry at all.
public enum LibvirtValidation {
    /// Runner names are domain names and file names: `[A-Za-z0-9][A-Za-z0-9._-]*`, at most 63.
    /// The scaler's names (`rs-linux-123-1`) always pass; anything else is refused, not escaped.
    public static func runnerName(_ name: String) throws(LibvirtError) {
        guard !name.isEmpty, name.utf8.count <= 63 else {
            throw .invalidValue(field: "runner name", value: name, why: "must be 1-63 characters")
        }
        guard name.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }),
              let first = name.utf8.first, isAlnum(first) else {
            throw .invalidValue(field: "runner name", value: name,
                                why: "may only hold letters, digits, '-', '_' and '.', starting with a letter or digit")
        }
    }

    /// Free text (labels, repository, pool, paths, URI): anything printable, because it is
    /// always quoted or escaped; only what neither a shell nor XML can carry is refused.
    public static func text(_ value: String, field: String) throws(LibvirtError) {
        guard !value.utf8.contains(0), XMLEscaping.isRepresentable(value) else {
            throw .invalidValue(field: field, value: value, why: "contains control characters that cannot be passed to a host")
        }
    }

    /// An absolute path on the host.
    public static func path(_ value: String, field: String) throws(LibvirtError) {
        try text(value, field: field)
        guard value.hasPrefix("/"), !value.contains("\n") else {
            throw .invalidValue(field: field, value: value, why: "must be an absolute path on the host (one line)")
        }
    }

    static func sshTarget(_ target: SSHTarget) throws(SSHError) {
        // Neither may look like an option or hold spaces; ssh gets them as separate arguments
        // after `-l` and `--`, so this is about clear errors, not injection.
        let host = target.host, user = target.user
        guard !host.isEmpty, !host.hasPrefix("-"), host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "@") }) else {
            throw .invalidTarget("host \(LibvirtError.shown(host)) is not a host name or address")
        }
        guard !user.isEmpty, !user.hasPrefix("-"),
              user.utf8.allSatisfy({ isAlnum($0) || "-_.".utf8.contains($0) }) else {
            throw .invalidTarget("user \(LibvirtError.shown(user)) is not a valid user name")
        }
        guard (1...65535).contains(target.port) else { throw .invalidTarget("port \(target.port) is not 1-65535") }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
    }
}
