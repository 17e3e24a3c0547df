#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Our mark on a domain: a `<metadata>` element in our own namespace, holding the same facts
/// as the EC2 and Metal tags (`HostTags`), so a domain leads back to its pool, runner and job.
/// `virsh metadata DOMAIN https://runner-scaler.dev/libvirt/1` prints it back.
public struct LibvirtRunnerMetadata: Sendable, Equatable {
    public static let namespace = "https://runner-scaler.dev/libvirt/1"
    static let prefix = "rs"

    public var managedBy: String
    public var pool: String
    public var runnerName: String
    public var jobID: Int64?
    public var runID: Int64?
    public var repository: String?
    public var labels: [String]
    public var created: Date?

    public init(managedBy: String, pool: String, runnerName: String, jobID: Int64? = nil, runID: Int64? = nil,
                repository: String? = nil, labels: [String] = [], created: Date? = nil) {
        self.managedBy = managedBy
        self.pool = pool
        self.runnerName = runnerName
        self.jobID = jobID
        self.runID = runID
        self.repository = repository
        self.labels = labels
        self.created = created
    }

    init(spec: HostSpec, created: Date) {
        self.init(managedBy: spec.managedBy, pool: spec.pool.name, runnerName: spec.runnerName, jobID: spec.job?.id,
                  runID: spec.job?.runID, repository: spec.job?.repository, labels: spec.job?.labels ?? [], created: created)
    }

    /// Every value that came from outside, for validation before anything is built.
    var textFields: [(field: String, value: String)] {
        [("managed-by", managedBy), ("pool", pool), ("repository", repository ?? "")]
            + labels.map { ("label", $0) }
    }

    /// The element, every value escaped. Element names follow the `runner-scaler:*` tag keys.
    public var xml: String {
        var children: [(String, String)] = [("managed-by", managedBy), ("pool", pool), ("runner-name", runnerName)]
        if let jobID { children.append(("job-id", String(jobID))) }
        if let runID { children.append(("run-id", String(runID))) }
        if let repository { children.append(("repository", repository)) }
        children += labels.map { ("label", $0) }
        if let created { children.append(("created", UTCTimestamp.iso8601(created))) }
        let p = Self.prefix
        return "<\(p):runner xmlns:\(p)=\"\(Self.namespace)\">"
            + children.map { "<\(p):\($0)>\(XMLEscaping.escape($1))</\(p):\($0)>" }.joined()
            + "</\(p):runner>"
    }

    /// Reads what `virsh metadata` prints (libvirt may re-indent it and drop our prefix).
    /// Nil when it is not a complete runner element.
    public init?(parsing xml: String) {
        guard let root = try? XMLReader.parse(Array(xml.utf8)), root.name == "runner" else { return nil }
        let f = Dictionary(grouping: root.children, by: \.name).mapValues { $0.map(\.text) }
        guard let managedBy = f["managed-by"]?.first, let pool = f["pool"]?.first,
              let name = f["runner-name"]?.first else { return nil }
        self.init(managedBy: managedBy, pool: pool, runnerName: name,
                  jobID: f["job-id"]?.first.flatMap { Int64($0) }, runID: f["run-id"]?.first.flatMap { Int64($0) },
                  repository: f["repository"]?.first, labels: f["label"] ?? [],
                  created: f["created"]?.first.flatMap { UTCTimestamp.parseISO8601($0) })
    }
}
