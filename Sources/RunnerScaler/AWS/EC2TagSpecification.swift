/// Tags to apply to a resource type while it is created (`TagSpecification.N`).
public struct EC2TagSpecification: Sendable, Hashable {
    /// `instance`, `volume`, `network-interface`, `spot-instances-request`, ...
    public var resourceType: String
    public var tags: [EC2Tag]

    public init(resourceType: String, tags: [EC2Tag]) {
        self.resourceType = resourceType
        self.tags = tags
    }

    static func queryParameters(_ specs: [EC2TagSpecification]) -> [(String, String)] {
        specs.enumerated().flatMap { i, spec in
            let prefix = "TagSpecification.\(i + 1)"
            return [("\(prefix).ResourceType", spec.resourceType)]
                + EC2Tag.queryParameters(spec.tags, prefix: "\(prefix).Tag")
        }
    }
}
