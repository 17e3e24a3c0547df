/// `DescribeInstances`, by ID and/or filters, one page at a time. Follow `nextToken` until it
/// is nil: moto pages at 100 even without `maxResults`.
public struct EC2DescribeInstancesRequest: EC2QueryRequest, Equatable {
    public static let action = "DescribeInstances"

    public var instanceIds: [String]
    public var filters: [EC2Filter]
    /// 5...1000; EC2 refuses it together with `instanceIds`.
    public var maxResults: Int?
    public var nextToken: String?
    public var dryRun: Bool

    public init(instanceIds: [String] = [], filters: [EC2Filter] = [], maxResults: Int? = nil,
                nextToken: String? = nil, dryRun: Bool = false) {
        self.instanceIds = instanceIds
        self.filters = filters
        self.maxResults = maxResults
        self.nextToken = nextToken
        self.dryRun = dryRun
    }

    public var queryParameters: [(String, String)] {
        var p = instanceIds.enumerated().map { i, id in ("InstanceId.\(i + 1)", id) }
        p += EC2Filter.queryParameters(filters)
        if let maxResults { p.append(("MaxResults", String(maxResults))) }
        if let nextToken { p.append(("NextToken", nextToken)) }
        if dryRun { p.append(("DryRun", "true")) }
        return p
    }

    /// The same request asking for the page after `token`.
    public func page(after token: String) -> EC2DescribeInstancesRequest {
        var next = self
        next.nextToken = token
        return next
    }
}
