/// RFC 8288 `Link` header, as GitHub uses it for pagination.
public enum LinkHeader {
    /// The URL whose `rel` is `relation` (e.g. "next"), if any.
    public static func url(_ header: String?, rel relation: String) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingASCIIWhitespace() }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            for parameter in pieces.dropFirst() {
                let kv = parameter.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, kv[0].trimmingASCIIWhitespace() == "rel" else { continue }
                let rels = kv[1].trimmingASCIIWhitespace().filter { $0 != "\"" }.split(separator: " ")
                if rels.contains(where: { $0 == relation }) { return String(target.dropFirst().dropLast()) }
            }
        }
        return nil
    }
}
