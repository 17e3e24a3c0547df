#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One of our domains on a host, as the list script reports it.
public struct LibvirtDomain: Sendable, Equatable {
    public var name: String
    /// `virsh domstate` text: running, idle, paused, in shutdown, shut off, crashed, pmsuspended.
    public var state: String
    public var metadata: LibvirtRunnerMetadata

    /// A domain that is there to run a job (paused or idle still holds its slot).
    public var hostState: RunnerHost.State {
        switch state {
        case "running", "idle", "blocked", "paused", "pmsuspended": .running
        case "in shutdown": .stopping
        default: .terminated
        }
    }

    /// Reads the list script's `domain NAME STATE METADATA` lines (each field base64). Lines
    /// that are not ours, or whose metadata is not a runner element, are skipped.
    static func parse(listOutput: String) -> [LibvirtDomain] {
        listOutput.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 4, fields[0] == "domain",
                  let name = decode(fields[1]), let state = decode(fields[2]), let xml = decode(fields[3]),
                  let metadata = LibvirtRunnerMetadata(parsing: xml) else { return nil }
            return LibvirtDomain(name: name, state: String(state.trimmingASCIIWhitespace()), metadata: metadata)
        }
    }

    private static func decode(_ field: Substring) -> String? {
        Data(base64Encoded: String(field)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
