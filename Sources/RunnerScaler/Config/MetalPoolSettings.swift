/// `metal:` settings of a pool with `provider: metal` (Packet / Equinix Metal API v1).
public struct MetalPoolSettings: Sendable, Equatable {
    public static let defaultAPIURL = "https://api.equinix.com/metal/v1"

    /// `https://api.equinix.com/metal/v1` (default) or the legacy `https://api.packet.net`.
    public var apiURL: String
    /// Project API key: a secret reference. Default: the METAL_AUTH_TOKEN variable.
    public var token: SecretReference?
    public var projectID: String
    public var metro: String?
    public var facility: String?
    public var plan: String
    public var operatingSystem: String
    /// Set to launch spot instances with this maximum bid (USD per hour).
    public var spotPriceMax: Double?
    public var forceDelete: Bool

    public init(apiURL: String = MetalPoolSettings.defaultAPIURL, token: SecretReference? = nil, projectID: String,
                metro: String? = nil, facility: String? = nil, plan: String, operatingSystem: String,
                spotPriceMax: Double? = nil, forceDelete: Bool = false) {
        self.apiURL = apiURL
        self.token = token
        self.projectID = projectID
        self.metro = metro
        self.facility = facility
        self.plan = plan
        self.operatingSystem = operatingSystem
        self.spotPriceMax = spotPriceMax
        self.forceDelete = forceDelete
    }
}

extension NodeReader {
    mutating func metalSettings(_ node: Any?, at path: String) -> MetalPoolSettings? {
        guard let map = node as? [String: Any] else {
            problem(path, "is required for provider metal: a mapping with projectId, metro or facility, plan and operatingSystem")
            return nil
        }
        unknownKeys(map, allowed: ["apiURL", "token", "projectId", "metro", "facility", "plan", "operatingSystem",
                                   "spotPriceMax", "forceDelete"], at: path)
        let apiURL = string(map, "apiURL", at: path) ?? MetalPoolSettings.defaultAPIURL
        if !(apiURL.hasPrefix("https://") || apiURL.hasPrefix("http://")) { problem("\(path).apiURL", "must be an http(s) URL") }
        let token = string(map, "token", at: path).map(SecretReference.init(parsing:))
        if let why = token?.syntaxProblem { problem("\(path).token", why) }
        let project = string(map, "projectId", at: path, required: true) ?? ""
        let metro = string(map, "metro", at: path)
        let facility = string(map, "facility", at: path)
        if (metro == nil) == (facility == nil) { problem(path, "needs exactly one of metro or facility") }
        let plan = string(map, "plan", at: path, required: true) ?? ""
        let os = string(map, "operatingSystem", at: path, required: true) ?? ""
        var spot: Double?
        if let raw = map["spotPriceMax"] {
            spot = (raw as? Double) ?? (raw as? Int).map(Double.init)
            if spot == nil || spot! <= 0 { problem("\(path).spotPriceMax", "must be a positive number (USD per hour)") }
        }
        return MetalPoolSettings(apiURL: apiURL, token: token, projectID: project, metro: metro, facility: facility, plan: plan,
                                 operatingSystem: os, spotPriceMax: spot, forceDelete: bool(map, "forceDelete", at: path) ?? false)
    }
}
