/// Metal tags are plain strings, so each host tag travels as `key=value`
/// (`runner-scaler:pool=linux`). Keys never contain `=`, so the first one splits them.
public enum MetalTags {
    public static func encode(_ tags: [(key: String, value: String)]) -> [String] {
        tags.map { "\($0.key)=\($0.value)" }
    }

    public static func tag(_ key: String, _ value: String) -> String { "\(key)=\(value)" }

    /// The value of the first tag with `key`, or nil.
    public static func value(of key: String, in tags: [String]) -> String? {
        let head = key + "="
        return tags.first { $0.hasPrefix(head) }.map { String($0.dropFirst(head.count)) }
    }
}
