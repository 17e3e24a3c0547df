#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of an EC2 instance description the scaler uses.
public struct EC2Instance: Sendable, Hashable {
    public var instanceId: String
    public var imageId: String?
    public var instanceType: String?
    public var state: EC2InstanceState?
    public var launchTime: Date?
    public var privateIpAddress: String?
    public var publicIpAddress: String?
    public var subnetId: String?
    public var vpcId: String?
    public var availabilityZone: String?
    public var keyName: String?
    /// The `ClientToken` of the `RunInstances` call that started it ("" when none was given).
    public var clientToken: String?
    public var tags: [EC2Tag]

    public init(instanceId: String, imageId: String? = nil, instanceType: String? = nil,
                state: EC2InstanceState? = nil, launchTime: Date? = nil, privateIpAddress: String? = nil,
                publicIpAddress: String? = nil, subnetId: String? = nil, vpcId: String? = nil,
                availabilityZone: String? = nil, keyName: String? = nil, clientToken: String? = nil,
                tags: [EC2Tag] = []) {
        self.instanceId = instanceId
        self.imageId = imageId
        self.instanceType = instanceType
        self.state = state
        self.launchTime = launchTime
        self.privateIpAddress = privateIpAddress
        self.publicIpAddress = publicIpAddress
        self.subnetId = subnetId
        self.vpcId = vpcId
        self.availabilityZone = availabilityZone
        self.keyName = keyName
        self.clientToken = clientToken
        self.tags = tags
    }

    /// The value of the tag `key`, if the instance has it.
    public func tag(_ key: String) -> String? { tags.value(for: key) }

    /// Reads one `instancesSet/item`.
    init(_ item: AWSXMLElement) throws(AWSResponseError) {
        guard let id = item.string("instanceId") else { throw .missingElement("instanceId") }
        self.init(
            instanceId: id,
            imageId: item.string("imageId"),
            instanceType: item.string("instanceType"),
            state: EC2InstanceState(item.child("instanceState")),
            launchTime: item.string("launchTime").flatMap(UTCTimestamp.parseISO8601),
            privateIpAddress: item.string("privateIpAddress"),
            publicIpAddress: item.string("ipAddress"),
            subnetId: item.string("subnetId"),
            vpcId: item.string("vpcId"),
            availabilityZone: item.child("placement")?.string("availabilityZone"),
            keyName: item.string("keyName"),
            clientToken: item.string("clientToken"),
            tags: item.items("tagSet").map { EC2Tag(key: $0.string("key") ?? "", value: $0.string("value") ?? "") })
    }

    static func list(_ items: [AWSXMLElement]) throws(AWSResponseError) -> [EC2Instance] {
        var instances: [EC2Instance] = []
        for item in items { instances.append(try EC2Instance(item)) }
        return instances
    }
}
