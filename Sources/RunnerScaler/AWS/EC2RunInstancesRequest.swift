#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `RunInstances`: start `minCount...maxCount` instances. Member names follow the EC2 service
/// model (`SecurityGroupIds` → `SecurityGroupId.N`, `TagSpecifications` → `TagSpecification.N`).
public struct EC2RunInstancesRequest: EC2QueryRequest, Equatable {
    public static let action = "RunInstances"

    public enum IamInstanceProfile: Sendable, Hashable {
        case arn(String)
        case name(String)
    }

    public enum ShutdownBehavior: String, Sendable, Hashable {
        case stop
        case terminate
    }

    /// Launch from a template; the template's version is `$Default` unless given.
    public struct LaunchTemplate: Sendable, Hashable {
        public enum Reference: Sendable, Hashable {
            case id(String)
            case name(String)
        }

        public var reference: Reference
        /// A version number, `$Latest` or `$Default`.
        public var version: String?

        public init(_ reference: Reference, version: String? = nil) {
            self.reference = reference
            self.version = version
        }
    }

    public struct BlockDeviceMapping: Sendable, Hashable {
        public struct EBS: Sendable, Hashable {
            public var volumeSize: Int?
            /// `gp3`, `gp2`, `io2`, ...
            public var volumeType: String?
            public var deleteOnTermination: Bool?
            public var iops: Int?
            public var throughput: Int?
            public var encrypted: Bool?
            public var kmsKeyId: String?
            public var snapshotId: String?

            public init(volumeSize: Int? = nil, volumeType: String? = nil, deleteOnTermination: Bool? = nil,
                        iops: Int? = nil, throughput: Int? = nil, encrypted: Bool? = nil,
                        kmsKeyId: String? = nil, snapshotId: String? = nil) {
                self.volumeSize = volumeSize
                self.volumeType = volumeType
                self.deleteOnTermination = deleteOnTermination
                self.iops = iops
                self.throughput = throughput
                self.encrypted = encrypted
                self.kmsKeyId = kmsKeyId
                self.snapshotId = snapshotId
            }
        }

        /// `/dev/xvda`, `/dev/sda1`, ...
        public var deviceName: String
        public var ebs: EBS?

        public init(deviceName: String, ebs: EBS? = nil) {
            self.deviceName = deviceName
            self.ebs = ebs
        }
    }

    public struct MarketOptions: Sendable, Hashable {
        /// `spot` or `capacity-block`.
        public var marketType: String
        /// The most to pay per hour for a spot instance; nil for the on-demand price.
        public var spotMaxPrice: String?
        /// `one-time` or `persistent`.
        public var spotInstanceType: String?
        /// `terminate`, `stop` or `hibernate`.
        public var spotInterruptionBehavior: String?

        public init(marketType: String = "spot", spotMaxPrice: String? = nil, spotInstanceType: String? = nil,
                    spotInterruptionBehavior: String? = nil) {
            self.marketType = marketType
            self.spotMaxPrice = spotMaxPrice
            self.spotInstanceType = spotInstanceType
            self.spotInterruptionBehavior = spotInterruptionBehavior
        }
    }

    public struct MetadataOptions: Sendable, Hashable {
        /// `required` (IMDSv2 only) or `optional`.
        public var httpTokens: String?
        public var httpPutResponseHopLimit: Int?
        /// `enabled` or `disabled`.
        public var httpEndpoint: String?
        public var httpProtocolIPv6: String?
        public var instanceMetadataTags: String?

        public init(httpTokens: String? = nil, httpPutResponseHopLimit: Int? = nil, httpEndpoint: String? = nil,
                    httpProtocolIPv6: String? = nil, instanceMetadataTags: String? = nil) {
            self.httpTokens = httpTokens
            self.httpPutResponseHopLimit = httpPutResponseHopLimit
            self.httpEndpoint = httpEndpoint
            self.httpProtocolIPv6 = httpProtocolIPv6
            self.instanceMetadataTags = instanceMetadataTags
        }
    }

    public var imageId: String?
    public var instanceType: String?
    public var minCount: Int
    public var maxCount: Int
    public var launchTemplate: LaunchTemplate?
    public var subnetId: String?
    public var securityGroupIds: [String]
    public var keyName: String?
    /// Makes the call idempotent: a retry with the same token returns the first call's
    /// instances instead of starting more.
    public var clientToken: String?
    /// The boot script, as plain text; it is base64-encoded on the wire, as botocore does.
    /// A `Secret` because it carries the runner's single-use JIT config.
    public var userData: Secret?
    public var iamInstanceProfile: IamInstanceProfile?
    public var instanceInitiatedShutdownBehavior: ShutdownBehavior?
    public var blockDeviceMappings: [BlockDeviceMapping]
    public var instanceMarketOptions: MarketOptions?
    public var metadataOptions: MetadataOptions?
    public var tagSpecifications: [EC2TagSpecification]
    public var dryRun: Bool

    public init(imageId: String? = nil, instanceType: String? = nil, minCount: Int = 1, maxCount: Int = 1,
                launchTemplate: LaunchTemplate? = nil, subnetId: String? = nil, securityGroupIds: [String] = [],
                keyName: String? = nil, clientToken: String? = nil, userData: Secret? = nil,
                iamInstanceProfile: IamInstanceProfile? = nil,
                instanceInitiatedShutdownBehavior: ShutdownBehavior? = nil,
                blockDeviceMappings: [BlockDeviceMapping] = [], instanceMarketOptions: MarketOptions? = nil,
                metadataOptions: MetadataOptions? = nil, tagSpecifications: [EC2TagSpecification] = [],
                dryRun: Bool = false) {
        self.imageId = imageId
        self.instanceType = instanceType
        self.minCount = minCount
        self.maxCount = maxCount
        self.launchTemplate = launchTemplate
        self.subnetId = subnetId
        self.securityGroupIds = securityGroupIds
        self.keyName = keyName
        self.clientToken = clientToken
        self.userData = userData
        self.iamInstanceProfile = iamInstanceProfile
        self.instanceInitiatedShutdownBehavior = instanceInitiatedShutdownBehavior
        self.blockDeviceMappings = blockDeviceMappings
        self.instanceMarketOptions = instanceMarketOptions
        self.metadataOptions = metadataOptions
        self.tagSpecifications = tagSpecifications
        self.dryRun = dryRun
    }

    public var queryParameters: [(String, String)] {
        var p: [(String, String)] = []
        func add(_ name: String, _ value: String?) { if let value { p.append((name, value)) } }
        func addInt(_ name: String, _ value: Int?) { add(name, value.map(String.init)) }
        func addBool(_ name: String, _ value: Bool?) { add(name, value.map(AWSQuerySerializer.boolean)) }

        add("ImageId", imageId)
        add("InstanceType", instanceType)
        addInt("MinCount", minCount)
        addInt("MaxCount", maxCount)
        if let launchTemplate {
            switch launchTemplate.reference {
            case let .id(id): add("LaunchTemplate.LaunchTemplateId", id)
            case let .name(name): add("LaunchTemplate.LaunchTemplateName", name)
            }
            add("LaunchTemplate.Version", launchTemplate.version)
        }
        add("SubnetId", subnetId)
        for (i, id) in securityGroupIds.enumerated() { add("SecurityGroupId.\(i + 1)", id) }
        add("KeyName", keyName)
        add("ClientToken", clientToken)
        add("UserData", userData.map { Data($0.exposedValue.utf8).base64EncodedString() })
        switch iamInstanceProfile {
        case let .arn(arn): add("IamInstanceProfile.Arn", arn)
        case let .name(name): add("IamInstanceProfile.Name", name)
        case nil: break
        }
        add("InstanceInitiatedShutdownBehavior", instanceInitiatedShutdownBehavior?.rawValue)
        for (i, mapping) in blockDeviceMappings.enumerated() {
            let prefix = "BlockDeviceMapping.\(i + 1)"
            add("\(prefix).DeviceName", mapping.deviceName)
            if let ebs = mapping.ebs {
                addBool("\(prefix).Ebs.DeleteOnTermination", ebs.deleteOnTermination)
                addInt("\(prefix).Ebs.Iops", ebs.iops)
                add("\(prefix).Ebs.SnapshotId", ebs.snapshotId)
                addInt("\(prefix).Ebs.VolumeSize", ebs.volumeSize)
                add("\(prefix).Ebs.VolumeType", ebs.volumeType)
                add("\(prefix).Ebs.KmsKeyId", ebs.kmsKeyId)
                addInt("\(prefix).Ebs.Throughput", ebs.throughput)
                addBool("\(prefix).Ebs.Encrypted", ebs.encrypted)
            }
        }
        if let market = instanceMarketOptions {
            add("InstanceMarketOptions.MarketType", market.marketType)
            add("InstanceMarketOptions.SpotOptions.MaxPrice", market.spotMaxPrice)
            add("InstanceMarketOptions.SpotOptions.SpotInstanceType", market.spotInstanceType)
            add("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", market.spotInterruptionBehavior)
        }
        if let metadata = metadataOptions {
            add("MetadataOptions.HttpTokens", metadata.httpTokens)
            addInt("MetadataOptions.HttpPutResponseHopLimit", metadata.httpPutResponseHopLimit)
            add("MetadataOptions.HttpEndpoint", metadata.httpEndpoint)
            add("MetadataOptions.HttpProtocolIpv6", metadata.httpProtocolIPv6)
            add("MetadataOptions.InstanceMetadataTags", metadata.instanceMetadataTags)
        }
        p += EC2TagSpecification.queryParameters(tagSpecifications)
        if dryRun { addBool("DryRun", true) }
        return p
    }
}
