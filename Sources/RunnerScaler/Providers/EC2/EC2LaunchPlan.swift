/// The `RunInstances` requests one launch may send, in order: every subnet, and in each every
/// instance type; all of them as spot first when the pool asks for spot, then (with
/// `fallbackToOnDemand`) all of them on demand. Pure, so tests and dry runs see exactly what
/// would be sent.
public struct EC2LaunchPlan: Sendable, Equatable {
    public struct Attempt: Sendable, Equatable {
        public var request: EC2RunInstancesRequest
        public var isSpot: Bool

        /// `t3.large in subnet-a (spot)`, for logs and errors.
        public var label: String {
            [request.instanceType ?? "template's instance type",
             "in " + (request.subnetId ?? "default subnet"),
             isSpot ? "(spot)" : nil].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// The root device `volumeSizeGiB` resizes: Amazon Linux's. AMIs rooted at `/dev/sda1`
    /// (Ubuntu) need a launch template for that instead.
    public static let rootDeviceName = "/dev/xvda"

    public var attempts: [Attempt]
    public var clientToken: String

    public init(spec: HostSpec, settings: EC2PoolSettings) {
        clientToken = EC2ClientToken.make(for: spec)
        let base = Self.baseRequest(spec: spec, settings: settings, clientToken: clientToken)
        let subnets: [String?] = settings.subnetIDs.isEmpty ? [nil] : settings.subnetIDs
        let types: [String?] = settings.instanceTypes.isEmpty ? [nil] : settings.instanceTypes
        let markets: [Bool] = settings.spot ? (settings.spotFallbackToOnDemand ? [true, false] : [true]) : [false]
        var attempts: [Attempt] = []
        for spot in markets {
            for subnet in subnets {
                for type in types {
                    var request = base
                    request.subnetId = subnet
                    request.instanceType = type
                    if spot {
                        request.instanceMarketOptions = .init(marketType: "spot", spotMaxPrice: settings.spotMaxPrice,
                                                              spotInstanceType: "one-time",
                                                              spotInterruptionBehavior: "terminate")
                    }
                    attempts.append(Attempt(request: request, isSpot: spot))
                }
            }
        }
        self.attempts = attempts
    }

    /// Everything but placement and market.
    static func baseRequest(spec: HostSpec, settings: EC2PoolSettings, clientToken: String) -> EC2RunInstancesRequest {
        let tags = spec.tags.map { EC2Tag(key: $0.key, value: $0.value) }
        var request = EC2RunInstancesRequest(
            imageId: settings.imageID, minCount: 1, maxCount: 1, securityGroupIds: settings.securityGroupIDs,
            keyName: settings.keyName, clientToken: clientToken, userData: spec.userData,
            instanceInitiatedShutdownBehavior: .terminate,
            // IMDSv2 only: a process on the runner cannot read the instance role's
            // credentials with a plain GET (SSRF), only with a PUT-issued session token.
            metadataOptions: .init(httpTokens: "required", httpEndpoint: "enabled"),
            // Tagging at launch, on the instance and its volumes, is what the IAM policy
            // allows (aws:RequestTag / aws:TagKeys); tagging afterwards is not allowed.
            tagSpecifications: [EC2TagSpecification(resourceType: "instance", tags: tags),
                                EC2TagSpecification(resourceType: "volume", tags: tags)])
        if let template = settings.launchTemplate {
            let reference: EC2RunInstancesRequest.LaunchTemplate.Reference =
                template.id.map { .id($0) } ?? .name(template.name ?? "")
            request.launchTemplate = .init(reference, version: template.version)
        }
        if let profile = settings.instanceProfile {
            request.iamInstanceProfile = profile.hasPrefix("arn:") ? .arn(profile) : .name(profile)
        }
        if let size = settings.volumeSizeGiB {
            request.blockDeviceMappings = [.init(deviceName: rootDeviceName,
                                                 ebs: .init(volumeSize: size, volumeType: "gp3", deleteOnTermination: true))]
        }
        return request
    }
}
