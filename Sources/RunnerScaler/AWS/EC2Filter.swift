/// A `DescribeInstances` filter: the instance matches when `name` has any of `values`.
public struct EC2Filter: Sendable, Hashable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Instances whose tag `key` has one of the values.
    public static func tag(_ key: String, _ values: String...) -> EC2Filter { tag(key, values: values) }

    /// Instances whose tag `key` has one of `values`.
    public static func tag(_ key: String, values: [String]) -> EC2Filter {
        EC2Filter(name: "tag:\(key)", values: values)
    }

    /// Instances that carry the tag `key`, whatever its value.
    public static func tagKey(_ keys: String...) -> EC2Filter { EC2Filter(name: "tag-key", values: keys) }

    /// Instances in one of the states (`pending`, `running`, `shutting-down`, ...).
    public static func instanceStateName(_ states: String...) -> EC2Filter {
        EC2Filter(name: "instance-state-name", values: states)
    }

    static func queryParameters(_ filters: [EC2Filter]) -> [(String, String)] {
        filters.enumerated().flatMap { i, filter in
            [("Filter.\(i + 1).Name", filter.name)]
                + filter.values.enumerated().map { j, value in ("Filter.\(i + 1).Value.\(j + 1)", value) }
        }
    }
}
