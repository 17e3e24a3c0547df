/// `libvirt:` settings of a pool with `provider: libvirt`: transient domains on the user's own
/// hosts, reached with the OpenSSH client.
public struct LibvirtPoolSettings: Sendable, Equatable {
    public struct SSHHost: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        /// The host's public key line as in known_hosts (`HOST ssh-ed25519 AAAA...`), checked strictly.
        public var knownHostsEntry: String?

        public init(host: String, port: Int = 22, user: String, knownHostsEntry: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.knownHostsEntry = knownHostsEntry
        }
    }

    /// Several hosts per pool; a launch goes to the one with the fewest running runners.
    /// Default: one host from SSH_HOST, SSH_PORT, SSH_USER.
    public var hosts: [SSHHost]
    /// Secret reference to the private key (PEM or base64). Default: the SSH_PRIVATE_KEY variable.
    public var privateKey: SecretReference?
    /// Lab use only: skip host key checking.
    public var insecureIgnoreHostKeys: Bool
    public var libvirtURI: String
    /// qcow2 base image on each host; each runner gets an overlay on it.
    public var baseImage: String
    /// Where overlays and seed ISOs are written on the host.
    public var imageDirectory: String
    public var vcpus: Int
    public var memoryMiB: Int
    /// Virtual size of the overlay disk; 0 keeps the base image's size.
    public var diskGiB: Int
    public var network: String
    /// `kvm`, or `qemu` (TCG) where /dev/kvm is unusable.
    public var domainType: String

    public init(hosts: [SSHHost], privateKey: SecretReference? = nil, insecureIgnoreHostKeys: Bool = false,
                libvirtURI: String = "qemu:///system", baseImage: String,
                imageDirectory: String = "/var/lib/libvirt/images/runner-scaler", vcpus: Int = 2, memoryMiB: Int = 4096,
                diskGiB: Int = 0, network: String = "default", domainType: String = "kvm") {
        self.hosts = hosts
        self.privateKey = privateKey
        self.insecureIgnoreHostKeys = insecureIgnoreHostKeys
        self.libvirtURI = libvirtURI
        self.baseImage = baseImage
        self.imageDirectory = imageDirectory
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.diskGiB = diskGiB
        self.network = network
        self.domainType = domainType
    }
}

extension NodeReader {
    mutating func libvirtSettings(_ node: Any?, at path: String, environment env: [String: String]) -> LibvirtPoolSettings? {
        guard let map = node as? [String: Any] else {
            problem(path, "is required for provider libvirt: a mapping with baseImage and hosts (or SSH_HOST/SSH_USER)")
            return nil
        }
        unknownKeys(map, allowed: ["hosts", "privateKey", "insecureIgnoreHostKeys", "uri", "baseImage", "imageDirectory",
                                   "vcpus", "memoryMiB", "diskGiB", "network", "domainType"], at: path)
        var hosts: [LibvirtPoolSettings.SSHHost] = []
        if let list = map["hosts"] {
            if let items = list as? [Any], !items.isEmpty {
                for (i, item) in items.enumerated() {
                    let at = "\(path).hosts[\(i)]"
                    guard let h = item as? [String: Any] else { problem(at, "must be a mapping with host, user"); continue }
                    unknownKeys(h, allowed: ["host", "port", "user", "knownHostsEntry"], at: at)
                    let host = string(h, "host", at: at, required: true) ?? ""
                    let user = string(h, "user", at: at, required: true) ?? ""
                    let port = int(h, "port", at: at) ?? 22
                    if !(1...65535).contains(port) { problem("\(at).port", "must be 1-65535") }
                    hosts.append(.init(host: host, port: port, user: user, knownHostsEntry: string(h, "knownHostsEntry", at: at)))
                }
            } else {
                problem("\(path).hosts", "must be a non-empty list")
            }
        } else if let host = env["SSH_HOST"], !host.isEmpty {
            let port = Int(env["SSH_PORT"] ?? "22")
            if port == nil { problem("SSH_PORT", "must be a port number") }
            hosts.append(.init(host: host, port: port ?? 22, user: env["SSH_USER"] ?? "root",
                               knownHostsEntry: env["SSH_KNOWN_HOSTS"].flatMap { $0.isEmpty ? nil : $0 }))
        } else {
            problem("\(path).hosts", "is required (or set SSH_HOST, SSH_PORT and SSH_USER)")
        }
        let key = string(map, "privateKey", at: path).map(SecretReference.init(parsing:))
        if let why = key?.syntaxProblem { problem("\(path).privateKey", why) }
        let insecure = bool(map, "insecureIgnoreHostKeys", at: path) ?? false
        if !insecure {
            for (i, h) in hosts.enumerated() where h.knownHostsEntry == nil {
                problem(map["hosts"] == nil ? "SSH_KNOWN_HOSTS" : "\(path).hosts[\(i)].knownHostsEntry",
                        "is required for host key checking (or set insecureIgnoreHostKeys: true, for labs only)")
            }
        }
        let base = string(map, "baseImage", at: path, required: true) ?? ""
        let vcpus = int(map, "vcpus", at: path) ?? 2
        let memory = int(map, "memoryMiB", at: path) ?? 4096
        let disk = int(map, "diskGiB", at: path) ?? 0
        if vcpus < 1 { problem("\(path).vcpus", "must be at least 1") }
        if memory < 128 { problem("\(path).memoryMiB", "must be at least 128") }
        if disk < 0 { problem("\(path).diskGiB", "must not be negative") }
        let type = string(map, "domainType", at: path) ?? "kvm"
        if !["kvm", "qemu"].contains(type) { problem("\(path).domainType", "must be kvm or qemu") }
        return LibvirtPoolSettings(
            hosts: hosts, privateKey: key, insecureIgnoreHostKeys: insecure,
            libvirtURI: string(map, "uri", at: path) ?? "qemu:///system", baseImage: base,
            imageDirectory: string(map, "imageDirectory", at: path) ?? "/var/lib/libvirt/images/runner-scaler",
            vcpus: vcpus, memoryMiB: memory, diskGiB: disk, network: string(map, "network", at: path) ?? "default",
            domainType: type)
    }
}
