/// One SSH destination with everything needed to log in to it.
public struct SSHTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var hostKeys: SSHHostKeyPolicy
    public var privateKey: SSHPrivateKey

    public init(host: String, port: Int = 22, user: String, hostKeys: SSHHostKeyPolicy, privateKey: SSHPrivateKey) {
        self.host = host
        self.port = port
        self.user = user
        self.hostKeys = hostKeys
        self.privateKey = privateKey
    }

    /// `user@host:port` (IPv6 hosts in brackets), for ids, logs and errors.
    public var display: String { SSHAddress(host: host, port: port, user: user).description }
}

/// Where a target is, without credentials: what a `RunnerHost.id` records.
public struct SSHAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String

    public init(host: String, port: Int, user: String) {
        self.host = host
        self.port = port
        self.user = user
    }

    public var description: String {
        "\(user)@" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Parses `description`.
    public init?(parsing text: some StringProtocol) {
        guard let at = text.firstIndex(of: "@"), let colon = text.lastIndex(of: ":"), colon > at,
              let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = text[text.index(after: at)..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        let user = text[..<at]
        guard !user.isEmpty, !host.isEmpty else { return nil }
        self.init(host: String(host), port: port, user: String(user))
    }
}
