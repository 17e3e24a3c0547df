/// The Metal API operations the provider uses, as `MetalCall`s under one base URL:
/// `https://api.equinix.com/metal/v1`, or the legacy `https://api.packet.net` with the same
/// paths at the root.
public struct MetalEndpoints: Sendable, Equatable {
    public let baseURL: String

    public init(apiURL: String) {
        var base = apiURL
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
    }

    /// A `findProjectDevices` filter. The API matches `hostname` partially; callers compare
    /// exactly on their side.
    public enum DeviceFilter: Sendable, Equatable {
        case hostname(String)
        case tag(String)
    }

    public func findDevices(projectID: String, filter: DeviceFilter, page: Int, perPage: Int) -> MetalCall {
        let (name, value) = switch filter {
        case let .hostname(hostname): ("hostname", hostname)
        case let .tag(tag): ("tag", tag)
        }
        let query = [(name, value), ("page", String(page)), ("per_page", String(perPage))]
        return MetalCall(method: "GET", url: url("/projects/\(segment(projectID))/devices", query: query),
                         template: "/projects/{id}/devices")
    }

    public func createDevice(projectID: String, _ request: MetalDeviceCreateRequest) -> MetalCall {
        MetalCall(method: "POST", url: url("/projects/\(segment(projectID))/devices", query: []),
                  template: "/projects/{id}/devices", body: request.encoded(), redactedBody: request.redacted())
    }

    public func deleteDevice(id: String, forceDelete: Bool) -> MetalCall {
        MetalCall(method: "DELETE", url: url("/devices/\(segment(id))", query: [("force_delete", forceDelete ? "true" : "false")]),
                  template: "/devices/{id}")
    }

    private func url(_ path: String, query: [(String, String)]) -> String {
        let encoded = query.map { "\($0.0)=\(AWSPercentEncoding.uriEncode($0.1))" }.joined(separator: "&")
        return baseURL + path + (encoded.isEmpty ? "" : "?" + encoded)
    }

    /// Ids are UUIDs, but encoding keeps any other value from changing the path it sits in.
    private func segment(_ value: String) -> String { AWSPercentEncoding.uriEncode(value) }
}
