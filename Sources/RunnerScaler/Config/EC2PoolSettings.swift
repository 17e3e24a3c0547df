/// `ec2:` settings of a pool with `provider: ec2`.
public struct EC2PoolSettings: Sendable, Equatable {
    public struct LaunchTemplate: Sendable, Equatable {
        public var id: String?
        public var name: String?
        public var version: String?
    }

    /// Default: AWS_REGION / AWS_DEFAULT_REGION.
    public var region: String?
    public var launchTemplate: LaunchTemplate?
    public var imageID: String?
    /// Tried in order; the next is used on InsufficientInstanceCapacity, Unsupported or InstanceLimitExceeded.
    public var instanceTypes: [String]
    /// Tried in order, each with every instance type.
    public var subnetIDs: [String]
    public var securityGroupIDs: [String]
    /// Instance profile name, or ARN when it starts with `arn:`.
    public var instanceProfile: String?
    public var keyName: String?
    public var volumeSizeGiB: Int?
    public var spot: Bool
    public var spotMaxPrice: String?
    /// On spot capacity errors, launch on-demand instead. Default true.
    public var spotFallbackToOnDemand: Bool

    public init(region: String? = nil, launchTemplate: LaunchTemplate? = nil, imageID: String? = nil,
                instanceTypes: [String] = [], subnetIDs: [String] = [], securityGroupIDs: [String] = [],
                instanceProfile: String? = nil, keyName: String? = nil, volumeSizeGiB: Int? = nil, spot: Bool = false,
                spotMaxPrice: String? = nil, spotFallbackToOnDemand: Bool = true) {
        self.region = region
        self.launchTemplate = launchTemplate
        self.imageID = imageID
        self.instanceTypes = instanceTypes
        self.subnetIDs = subnetIDs
        self.securityGroupIDs = securityGroupIDs
        self.instanceProfile = instanceProfile
        self.keyName = keyName
        self.volumeSizeGiB = volumeSizeGiB
        self.spot = spot
        self.spotMaxPrice = spotMaxPrice
        self.spotFallbackToOnDemand = spotFallbackToOnDemand
    }
}

extension NodeReader {
    mutating func ec2Settings(_ node: Any?, at path: String) -> EC2PoolSettings? {
        guard let map = node as? [String: Any] else {
            problem(path, "is required for provider ec2: a mapping with imageId and instanceTypes, or launchTemplate")
            return nil
        }
        unknownKeys(map, allowed: ["region", "launchTemplate", "imageId", "instanceTypes", "subnetIds", "securityGroupIds",
                                   "instanceProfile", "keyName", "volumeSizeGiB", "spot"], at: path)
        var settings = EC2PoolSettings()
        settings.region = string(map, "region", at: path)
        if let lt = map["launchTemplate"] {
            if let ltMap = lt as? [String: Any] {
                unknownKeys(ltMap, allowed: ["id", "name", "version"], at: "\(path).launchTemplate")
                let template = EC2PoolSettings.LaunchTemplate(
                    id: string(ltMap, "id", at: "\(path).launchTemplate"), name: string(ltMap, "name", at: "\(path).launchTemplate"),
                    version: string(ltMap, "version", at: "\(path).launchTemplate"))
                if (template.id == nil) == (template.name == nil) {
                    problem("\(path).launchTemplate", "needs exactly one of id or name")
                }
                settings.launchTemplate = template
            } else {
                problem("\(path).launchTemplate", "must be a mapping with id or name, and an optional version")
            }
        }
        settings.imageID = string(map, "imageId", at: path)
        settings.instanceTypes = stringList(map, "instanceTypes", at: path) ?? []
        settings.subnetIDs = stringList(map, "subnetIds", at: path) ?? []
        settings.securityGroupIDs = stringList(map, "securityGroupIds", at: path) ?? []
        settings.instanceProfile = string(map, "instanceProfile", at: path)
        settings.keyName = string(map, "keyName", at: path)
        settings.volumeSizeGiB = int(map, "volumeSizeGiB", at: path)
        if let size = settings.volumeSizeGiB, !(1...16384).contains(size) {
            problem("\(path).volumeSizeGiB", "must be between 1 and 16384")
        }
        if settings.launchTemplate == nil {
            if settings.imageID == nil { problem("\(path).imageId", "is required unless launchTemplate is set") }
            if settings.instanceTypes.isEmpty { problem("\(path).instanceTypes", "must list at least one type unless launchTemplate is set") }
        }
        if let spot = map["spot"] {
            if let on = spot as? Bool {
                settings.spot = on
            } else if let spotMap = spot as? [String: Any] {
                unknownKeys(spotMap, allowed: ["enabled", "maxPrice", "fallbackToOnDemand"], at: "\(path).spot")
                settings.spot = bool(spotMap, "enabled", at: "\(path).spot") ?? true
                settings.spotMaxPrice = string(spotMap, "maxPrice", at: "\(path).spot")
                settings.spotFallbackToOnDemand = bool(spotMap, "fallbackToOnDemand", at: "\(path).spot") ?? true
            } else {
                problem("\(path).spot", "must be true/false or a mapping with enabled, maxPrice, fallbackToOnDemand")
            }
        }
        return settings
    }
}
