/// Everything the libvirt provider can fail with, each saying what to fix. None carries key
/// material or user data: values that came from outside are quoted only where they are
/// names (runner, pool, host), never secrets.
public enum LibvirtError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value that would end up in a file name, domain name, shell word or XML is not allowed.
    case invalidValue(field: String, value: String, why: String)
    case missingPrivateKey(pool: String)
    case unreadablePrivateKey(reference: String, why: String)
    case unknownPool(String)
    case noHosts(pool: String)
    /// Every host of the pool failed to answer; one line per host.
    case noReachableHost(pool: String, reasons: [String])
    /// The host ran the script and it failed (non-zero exit that is not an SSH failure).
    case remoteCommandFailed(host: String, step: String, status: Int32, stderr: String)
    case unexpectedOutput(host: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidValue(field, value, why):
            "libvirt: \(field) \(Self.shown(value)) \(why)"
        case let .missingPrivateKey(pool):
            "libvirt pool \(pool): no SSH private key: set libvirt.privateKey (a secret reference) or SSH_PRIVATE_KEY (PEM or base64 of PEM)"
        case let .unreadablePrivateKey(reference, why):
            "libvirt: the SSH private key from \(reference) \(why)"
        case let .unknownPool(name):
            "libvirt: pool \(name) is not a libvirt pool of this configuration (was it renamed while hosts were running?)"
        case let .noHosts(pool):
            "libvirt pool \(pool): no hosts configured (set libvirt.hosts or SSH_HOST)"
        case let .noReachableHost(pool, reasons):
            "libvirt pool \(pool): no host could be reached:\n" + reasons.map { "  \($0)" }.joined(separator: "\n")
        case let .remoteCommandFailed(host, step, status, stderr):
            "libvirt on \(host): \(step) failed (exit \(status))" + (stderr.isEmpty ? "" : ": \(stderr)")
        case let .unexpectedOutput(host, detail):
            "libvirt on \(host): unexpected output: \(detail)"
        }
    }

    /// A hostile value is shown escaped and shortened, so an error line stays one line.
    static func shown(_ value: String) -> String {
        let clipped = value.count > 80 ? String(value.prefix(80)) + "…" : value
        return "\"" + clipped.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
    }
}
