#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Proxies from `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (either case). libcurl alone reads
/// only lower-case `http_proxy`, so the choice is made here and handed to it explicitly.
public struct ProxySettings: Sendable, Equatable {
    public var httpProxy: String?
    public var httpsProxy: String?
    public var noProxy: String?

    public init(httpProxy: String? = nil, httpsProxy: String? = nil, noProxy: String? = nil) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    public static let none = ProxySettings()

    public static func from(environment env: [String: String]) -> ProxySettings {
        func value(_ name: String) -> String? {
            (env[name.uppercased()] ?? env[name.lowercased()]).flatMap { $0.isEmpty ? nil : $0 }
        }
        return ProxySettings(httpProxy: value("http_proxy"), httpsProxy: value("https_proxy"), noProxy: value("no_proxy"))
    }

    /// The proxy for `url`, or nil for a direct connection.
    public func proxy(for url: String) -> String? {
        let lower = url.lowercased()
        let proxy = lower.hasPrefix("https://") ? httpsProxy : lower.hasPrefix("http://") ? httpProxy : nil
        guard let proxy, !bypasses(host: Self.host(of: url)) else { return nil }
        return proxy
    }

    /// `NO_PROXY` entries match the host exactly or as a domain suffix; `*` matches all.
    public func bypasses(host: String) -> Bool {
        guard let noProxy else { return false }
        let host = host.lowercased()
        for raw in noProxy.split(separator: ",") {
            var entry = raw.trimmingASCIIWhitespace().lowercased()
            if entry == "*" { return true }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]") { entry = String(entry[..<colon]) }
            if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.isEmpty { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }

    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { return String(rest[rest.index(after: rest.startIndex)..<close]) }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }
}
