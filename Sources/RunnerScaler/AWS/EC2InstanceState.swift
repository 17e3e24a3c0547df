/// An instance's lifecycle state: `0 pending`, `16 running`, `32 shutting-down`,
/// `48 terminated`, `64 stopping`, `80 stopped`.
public struct EC2InstanceState: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var name: String

    public init(code: Int, name: String) {
        self.code = code
        self.name = name
    }

    /// Pending or running: the instance is, or is about to be, a runner host.
    public var isLive: Bool { name == "pending" || name == "running" }

    public var description: String { "\(name) (\(code))" }

    init?(_ element: AWSXMLElement?) {
        guard let element, let name = element.string("name") else { return nil }
        // The high byte of the code is internal to EC2 and documented as to be ignored.
        self.init(code: (element.int("code") ?? 0) & 0xff, name: name)
    }
}
