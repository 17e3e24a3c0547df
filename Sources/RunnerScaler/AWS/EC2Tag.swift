/// A key/value tag on an EC2 resource.
public struct EC2Tag: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// `Tag.N.Key` / `Tag.N.Value` under `prefix` (`Tag`, `TagSpecification.1.Tag`).
    static func queryParameters(_ tags: [EC2Tag], prefix: String) -> [(String, String)] {
        tags.enumerated().flatMap { i, tag in
            [("\(prefix).\(i + 1).Key", tag.key), ("\(prefix).\(i + 1).Value", tag.value)]
        }
    }
}

extension [EC2Tag] {
    /// The value of the first tag with this key.
    public func value(for key: String) -> String? { first { $0.key == key }?.value }
}
