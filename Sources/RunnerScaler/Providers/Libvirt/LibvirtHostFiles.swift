/// Where a runner's files live on its host. Derived from the name alone, so terminate and
/// the orphan sweep find them without the domain (which is gone once the guest powers off).
public struct LibvirtHostFiles: Sendable, Equatable {
    public var directory: String
    public var runnerName: String

    public init(directory: String, runnerName: String) {
        // A trailing slash would make paths compare unequal to what the sweep lists.
        var dir = directory
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        self.directory = dir
        self.runnerName = runnerName
    }

    /// The qcow2 overlay on the base image: the runner's disk.
    public var overlay: String { "\(directory)/\(runnerName)\(Self.overlaySuffix)" }
    /// The NoCloud seed ISO (label `cidata`) carrying the user data.
    public var seed: String { "\(directory)/\(runnerName)\(Self.seedSuffix)" }
    /// A directory that exists only while a launch of this name runs (mkdir is atomic).
    public var lock: String { "\(directory)/\(runnerName)\(Self.lockSuffix)" }

    static let overlaySuffix = ".qcow2"
    static let seedSuffix = "-seed.iso"
    static let lockSuffix = ".lock"

    /// The runner name a file in the directory belongs to, by its suffix.
    static func runnerName(ofFile name: String) -> String? {
        for suffix in [seedSuffix, overlaySuffix, lockSuffix] where name.hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        return nil
    }
}
