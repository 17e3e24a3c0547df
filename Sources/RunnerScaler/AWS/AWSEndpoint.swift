#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a service's requests go: the regional AWS endpoint, or an override following the
/// AWS convention (`AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`), which is how
/// tests reach a local emulator. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns overrides off.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https` or `http`.
    public var scheme: String
    /// `host` or `host:port` (no port when it is the scheme's default): the signed `Host`.
    public var host: String
    /// A path prefix from an override URL, `""` for AWS's own endpoints.
    public var basePath: String

    public init(scheme: String, host: String, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.basePath = basePath
    }

    /// Parses `http://127.0.0.1:5000` or `https://vpce-1.ec2.us-east-1.vpce.amazonaws.com/`.
    public init?(url: String) {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var path = String(rest[authority.endIndex...].prefix { $0 != "?" && $0 != "#" })
        while path.hasSuffix("/") { path.removeLast() }
        var host = String(authority).lowercased()
        if (scheme == "https" && host.hasSuffix(":443")) || (scheme == "http" && host.hasSuffix(":80")) {
            host = String(host[..<host.lastIndex(of: ":")!])
        }
        self.init(scheme: scheme, host: host, basePath: path)
    }

    /// The override for `service` from `environment`, else the service's public endpoint in
    /// `region` (`amazonaws.com.cn` in the China regions).
    public static func resolve(_ service: AWSService, region: String,
                               environment: [String: String]) throws(AWSEndpointError) -> AWSEndpoint {
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for variable in ["AWS_ENDPOINT_URL_\(service.environmentSuffix)", "AWS_ENDPOINT_URL"] {
                guard let value = environment.nonEmpty(variable) else { continue }
                guard let endpoint = AWSEndpoint(url: value) else {
                    throw AWSEndpointError(variable: variable, value: value)
                }
                return endpoint
            }
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        if service.globalRegion != nil { return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(suffix)") }
        return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)")
    }

    /// The URL of `target` (a path with its query) on this endpoint.
    public func url(_ target: String) -> String { "\(scheme)://\(host)\(basePath)\(target)" }

    public var description: String { url("") }
}

public struct AWSEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var value: String

    public var description: String {
        "\(variable)=\(value) is not an endpoint URL: use http(s)://host[:port][/path]"
    }
}
