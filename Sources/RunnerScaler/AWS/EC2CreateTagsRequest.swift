/// `CreateTags`: add or overwrite tags on instances, volumes and other resources.
public struct EC2CreateTagsRequest: EC2QueryRequest, Equatable {
    public static let action = "CreateTags"

    public var resourceIds: [String]
    public var tags: [EC2Tag]
    public var dryRun: Bool

    public init(resourceIds: [String], tags: [EC2Tag], dryRun: Bool = false) {
        self.resourceIds = resourceIds
        self.tags = tags
        self.dryRun = dryRun
    }

    public var queryParameters: [(String, String)] {
        resourceIds.enumerated().map { i, id in ("ResourceId.\(i + 1)", id) }
            + EC2Tag.queryParameters(tags, prefix: "Tag")
            + (dryRun ? [("DryRun", "true")] : [])
    }
}
