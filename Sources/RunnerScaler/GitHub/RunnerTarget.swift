#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where runners register: a repository, an organization or an enterprise. Decides the
/// REST path prefix of every runner call.
public enum RunnerTarget: Sendable, Hashable, CustomStringConvertible {
    case repository(owner: String, name: String)
    case organization(String)
    case enterprise(String)

    /// The target for a pool's scope and a job's repository.
    public init(scope: RunnerScope, job: JobReference) {
        switch scope {
        case .repository:
            let parts = job.repository.split(separator: "/", maxSplits: 1)
            self = .repository(owner: String(parts.first ?? ""), name: String(parts.count > 1 ? parts[1] : ""))
        case .organization: self = .organization(job.owner)
        case let .enterprise(slug): self = .enterprise(slug)
        }
    }

    public var pathPrefix: String {
        switch self {
        case let .repository(owner, name): "/repos/\(PathSegment.encode(owner))/\(PathSegment.encode(name))"
        case let .organization(org): "/orgs/\(PathSegment.encode(org))"
        case let .enterprise(slug): "/enterprises/\(PathSegment.encode(slug))"
        }
    }

    /// The web URL a runner registers against with `config.sh --url`.
    public func webURL(apiURL: String) -> String {
        let web = GitHubURLs.webURL(apiURL: apiURL)
        switch self {
        case let .repository(owner, name): return "\(web)/\(owner)/\(name)"
        case let .organization(org): return "\(web)/\(org)"
        case let .enterprise(slug): return "\(web)/enterprises/\(slug)"
        }
    }

    public var description: String {
        switch self {
        case let .repository(owner, name): "repo \(owner)/\(name)"
        case let .organization(org): "org \(org)"
        case let .enterprise(slug): "enterprise \(slug)"
        }
    }
}

enum PathSegment {
    /// Percent-encodes everything but RFC 3986 unreserved characters, so a name can never
    /// change the path it is placed in.
    static func encode(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }
}

/// GitHub.com, GHES (`https://HOST/api/v3`) and GHE.com (`https://api.SUBDOMAIN.ghe.com`).
public enum GitHubURLs {
    public static func webURL(apiURL: String) -> String {
        var api = apiURL
        while api.hasSuffix("/") { api.removeLast() }
        if api == "https://api.github.com" { return "https://github.com" }
        if api.hasSuffix("/api/v3") { return String(api.dropLast("/api/v3".count)) }
        if let range = api.firstRange(of: "://api.") { var web = api; web.replaceSubrange(range, with: "://"); return web }
        return api
    }
}
