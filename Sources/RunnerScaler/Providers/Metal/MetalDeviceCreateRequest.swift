#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `createDevice` body for one runner host (DeviceCreateInMetroInput or
/// DeviceCreateInFacilityInput in the spec).
public struct MetalDeviceCreateRequest: Sendable, Equatable {
    public var hostname: String
    public var metro: String?
    public var facility: String?
    public var plan: String
    public var operatingSystem: String
    public var userData: Secret?
    public var tags: [String]
    public var spotPriceMax: Double?

    public init(hostname: String, metro: String?, facility: String?, plan: String, operatingSystem: String,
                userData: Secret?, tags: [String], spotPriceMax: Double?) {
        self.hostname = hostname
        self.metro = metro
        self.facility = facility
        self.plan = plan
        self.operatingSystem = operatingSystem
        self.userData = userData
        self.tags = tags
        self.spotPriceMax = spotPriceMax
    }

    /// The host name is the runner name, the tags are the shared host tags as `key=value`.
    public init(spec: HostSpec, settings: MetalPoolSettings) {
        self.init(hostname: spec.runnerName, metro: settings.metro, facility: settings.facility, plan: settings.plan,
                  operatingSystem: settings.operatingSystem, userData: spec.userData, tags: MetalTags.encode(spec.tags),
                  spotPriceMax: settings.spotPriceMax)
    }

    /// `redactingUserData` replaces the user data by its size, for plans and logs.
    func jsonObject(redactingUserData: Bool) -> [String: Any] {
        var body: [String: Any] = [
            "hostname": hostname, "plan": plan, "operating_system": operatingSystem, "tags": tags,
        ]
        // The spec takes exactly one of metro or facility; config validation guarantees one is
        // set. Facility is the deprecated form and accepts a string or a priority list; the list
        // is what the API documented for explicit choices.
        if let metro {
            body["metro"] = metro
        } else if let facility {
            body["facility"] = [facility]
        }
        if let userData {
            body["userdata"] = redactingUserData ? "<redacted: \(userData.utf8Bytes.count) bytes>" : userData.exposedValue
        }
        if let spotPriceMax {
            body["spot_instance"] = true
            body["spot_price_max"] = spotPriceMax
        }
        return body
    }

    /// The bytes sent; keys sorted so the same host always yields the same body.
    func encoded() -> [UInt8] { Self.serialize(jsonObject(redactingUserData: false)) }

    func redacted() -> String { String(decoding: Self.serialize(jsonObject(redactingUserData: true)), as: UTF8.self) }

    private static func serialize(_ object: [String: Any]) -> [UInt8] {
        // Only strings, string arrays, a Bool and a finite Double: serialization cannot fail.
        (try? JSONText.data(object, escapingSlashes: false)) ?? []
    }
}
