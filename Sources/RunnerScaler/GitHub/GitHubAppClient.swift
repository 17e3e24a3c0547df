#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// The GitHub App client: App JWT → installation token → runners API. Works against
/// api.github.com, GHES (`https://HOST/api/v3`) and GHE.com alike.
public struct GitHubAppClient: GitHubRunnerService, HookDeliveryService {
    public static let apiVersion = "2022-11-28"

    public let apiURL: String
    private let jwt: AppJWT
    private let http: RetryingHTTPClient
    private let tokens: InstallationTokenCache
    private let lookups: LookupCache
    private let now: @Sendable () -> Date
    private let logger: Logger

    public init(apiURL: String, jwt: AppJWT, http: RetryingHTTPClient, tokens: InstallationTokenCache = InstallationTokenCache(),
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "runner-scaler.github")) {
        var base = apiURL
        while base.hasSuffix("/") { base.removeLast() }
        self.apiURL = base
        self.jwt = jwt
        self.http = http
        self.tokens = tokens
        self.lookups = LookupCache()
        self.now = now
        self.logger = logger
    }

    // MARK: installation

    /// The installation token for `installation`, from cache or freshly exchanged.
    public func installationToken(_ installation: InstallationLookup, deadline: Deadline) async throws -> Secret {
        let id = try await installationID(installation, deadline: deadline)
        return try await tokens.token(for: id) {
            let response = try await send("POST", "/app/installations/\(id)/access_tokens", auth: .jwt, deadline: deadline)
            let decoded: TokenBody = try decode(response, path: "/app/installations/{id}/access_tokens")
            guard let expires = decoded.expiresAt.flatMap(UTCTimestamp.parseISO8601) else {
                throw GitHubError.invalidResponse(path: "/app/installations/{id}/access_tokens", detail: "unparseable expires_at")
            }
            return InstallationTokenCache.Entry(token: Secret(decoded.token), expiresAt: expires)
        }
    }

    public func installationID(_ installation: InstallationLookup, deadline: Deadline) async throws -> Int64 {
        let path: String
        switch installation {
        case let .id(id): return id
        case let .repository(owner, name): path = "/repos/\(PathSegment.encode(owner))/\(PathSegment.encode(name))/installation"
        case let .organization(org): path = "/orgs/\(PathSegment.encode(org))/installation"
        }
        if let cached = await lookups.installation(installation) { return cached }
        let response = try await send("GET", path, auth: .jwt, deadline: deadline, accept: [404])
        guard response.status != 404 else {
            throw GitHubError.noInstallation(String(path.dropLast("/installation".count).dropFirst()))
        }
        let body: IDBody = try decode(response, path: path)
        await lookups.setInstallation(installation, body.id)
        return body.id
    }

    // MARK: runners

    public func jitConfig(_ request: JITRequest, target: RunnerTarget, installation: InstallationLookup,
                          deadline: Deadline) async throws -> JITConfig {
        let body: [String: Any] = [
            "name": request.name, "runner_group_id": request.runnerGroupID, "labels": request.labels,
            "work_folder": request.workFolder,
        ]
        let path = "\(target.pathPrefix)/actions/runners/generate-jitconfig"
        let response = try await send("POST", path, auth: .installation(installation), json: body, deadline: deadline)
        let decoded: JITBody = try decode(response, path: path)
        return JITConfig(runner: decoded.runner, encodedConfig: Secret(decoded.encodedJITConfig))
    }

    public func registrationToken(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> RegistrationToken {
        try await runnerToken("registration-token", target: target, installation: installation, deadline: deadline)
    }

    public func removeToken(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> RegistrationToken {
        try await runnerToken("remove-token", target: target, installation: installation, deadline: deadline)
    }

    private func runnerToken(_ kind: String, target: RunnerTarget, installation: InstallationLookup,
                             deadline: Deadline) async throws -> RegistrationToken {
        let path = "\(target.pathPrefix)/actions/runners/\(kind)"
        let response = try await send("POST", path, auth: .installation(installation), deadline: deadline)
        let decoded: TokenBody = try decode(response, path: path)
        return RegistrationToken(token: Secret(decoded.token), expiresAt: decoded.expiresAt.flatMap(UTCTimestamp.parseISO8601))
    }

    public func listRunners(target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> [GitHubRunner] {
        try await paginate("\(target.pathPrefix)/actions/runners", key: RunnersPage.self, installation: installation,
                           deadline: deadline) { $0.runners }
    }

    /// Asks GitHub for this one name (the list endpoints' `name` parameter), so a lookup is
    /// one small call however many runners the scope has; still filtered here, so a server
    /// that ignores the parameter (older GHES) gives the same answer, only in more pages.
    public func findRunner(named name: String, target: RunnerTarget, installation: InstallationLookup,
                           deadline: Deadline) async throws -> GitHubRunner? {
        try await paginate("\(target.pathPrefix)/actions/runners", query: "&name=" + PathSegment.encode(name), key: RunnersPage.self,
                           installation: installation, deadline: deadline) { $0.runners }
            .first { $0.name == name }
    }

    public func deleteRunner(id: Int64, target: RunnerTarget, installation: InstallationLookup, deadline: Deadline) async throws -> Bool {
        let response = try await send("DELETE", "\(target.pathPrefix)/actions/runners/\(id)", auth: .installation(installation),
                                      deadline: deadline, accept: [404])
        return response.status != 404
    }

    public func runnerGroupID(named name: String?, target: RunnerTarget, installation: InstallationLookup,
                              deadline: Deadline) async throws -> Int64 {
        // Repositories have no runner groups, and group 1 is always the default group.
        guard let name, !name.isEmpty, name.lowercased() != "default" else { return 1 }
        let listPath: String
        switch target {
        case .repository: return 1
        case let .organization(org): listPath = "/orgs/\(PathSegment.encode(org))/actions/runner-groups"
        case let .enterprise(slug): listPath = "/enterprises/\(PathSegment.encode(slug))/actions/runner-groups"
        }
        if let cached = await lookups.group(target, name) { return cached }
        let groups = try await paginate(listPath, key: GroupsPage.self, installation: installation, deadline: deadline) { $0.runnerGroups }
        guard let group = groups.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw GitHubError.runnerGroupNotFound(name: name, target: target.description)
        }
        await lookups.setGroup(target, name, group.id)
        return group.id
    }

    // MARK: webhook deliveries

    public func hookDeliveries(since: Date, deadline: Deadline) async throws -> [HookDelivery] {
        var out: [HookDelivery] = []
        var next: String? = "/app/hook/deliveries?per_page=100"
        var pages = 0
        while let url = next, pages < 100 {
            pages += 1
            let response = try await send("GET", url, auth: .jwt, deadline: deadline)
            let page: [HookDelivery] = try decode(response, path: "/app/hook/deliveries")
            out += page.filter { ($0.deliveredDate ?? .distantFuture) >= since }
            // Newest first: once a page reaches past the look-back, older pages cannot matter.
            if page.isEmpty || page.contains(where: { ($0.deliveredDate ?? .distantFuture) < since }) { break }
            next = LinkHeader.url(response.headers["Link"], rel: "next")
        }
        return out
    }

    public func redeliver(deliveryID: Int64, deadline: Deadline) async throws {
        _ = try await send("POST", "/app/hook/deliveries/\(deliveryID)/attempts", auth: .jwt, deadline: deadline)
    }

    public func hookDeliveryPayload(deliveryID: Int64, deadline: Deadline) async throws -> [UInt8]? {
        let response = try await send("GET", "/app/hook/deliveries/\(deliveryID)", auth: .jwt, deadline: deadline, accept: [404])
        guard response.status != 404,
              let object = JSONReader.object(response.body),
              let payload = (object["request"] as? [String: Any])?["payload"], !(payload is JSONNull)
        else { return nil }
        if let text = payload as? String { return Array(text.utf8) }
        return try JSONText.data(any: payload, escapingSlashes: false)
    }

    public func jobStatus(repository: String, jobID: Int64, installation: InstallationLookup, deadline: Deadline) async throws -> String? {
        let parts = repository.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let path = "/repos/\(PathSegment.encode(parts[0]))/\(PathSegment.encode(parts[1]))/actions/jobs/\(jobID)"
        let response = try await send("GET", path, auth: .installation(installation), deadline: deadline, accept: [404])
        guard response.status != 404 else { return nil }
        struct Job: Decodable { var status: String? }
        return (try? JSONDecoder().decode(Job.self, from: Data(response.body)))?.status
    }

    // MARK: transport

    enum Auth {
        case jwt
        case installation(InstallationLookup)
    }

    /// Builds the URL under the API base (so GHES's `/api/v3` prefix is kept) and sends it
    /// through the shared retry policy. Non-2xx statuses not in `accept` throw `HTTPStatusError`.
    func send(_ method: String, _ pathOrURL: String, auth: Auth, json: [String: Any]? = nil, deadline: Deadline,
              accept: Set<Int> = []) async throws -> HTTPResponse {
        let url = pathOrURL.hasPrefix("http://") || pathOrURL.hasPrefix("https://") ? pathOrURL : apiURL + pathOrURL
        var headers: HeaderFields = [
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": Self.apiVersion,
        ]
        let credential: Secret
        switch auth {
        case .jwt: credential = jwt.token(now: now())
        case let .installation(installation): credential = try await installationToken(installation, deadline: deadline)
        }
        headers.append("Authorization", "Bearer \(credential.exposedValue)")
        var body: [UInt8] = []
        if let json {
            body = try JSONText.data(json)
            headers.append("Content-Type", "application/json")
        }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body)
        let started = ContinuousClock.now
        let response = try await http.send(request, deadline: deadline)
        logger.debug("github", metadata: [
            "method": .string(method), "path": .string(request.path), "status": "\(response.status)",
            "ms": "\((ContinuousClock.now - started).milliseconds)",
            "ratelimit_remaining": .string(response.headers["x-ratelimit-remaining"] ?? "-"),
        ])
        if let remaining = response.headers["x-ratelimit-remaining"].flatMap(Int.init) {
            ScalerMetrics.rateLimitRemaining(remaining)
        }
        if case let .installation(installation) = auth, response.status == 401,
           let id = try? await installationID(installation, deadline: deadline) {
            await tokens.invalidate(id)
        }
        guard response.isSuccess || accept.contains(response.status) else {
            throw HTTPStatusError(response, for: request)
        }
        return response
    }

    private func paginate<Page: Decodable, Item>(
        _ path: String, query: String = "", key: Page.Type, installation: InstallationLookup, deadline: Deadline,
        items: (Page) -> [Item]
    ) async throws -> [Item] {
        var out: [Item] = []
        var next: String? = path + "?per_page=100" + query
        var pages = 0
        while let url = next {
            pages += 1
            guard pages <= 1000 else { throw GitHubError.invalidResponse(path: path, detail: "more than 1000 pages") }
            let response = try await send("GET", url, auth: .installation(installation), deadline: deadline)
            out += items(try decode(response, path: path))
            next = LinkHeader.url(response.headers["Link"], rel: "next")
        }
        return out
    }

    private func decode<T: Decodable>(_ response: HTTPResponse, path: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(response.body)) } catch {
            throw GitHubError.invalidResponse(path: path, detail: "body does not match the expected shape")
        }
    }

    // MARK: wire shapes

    struct TokenBody: Decodable {
        var token: String
        var expiresAt: String?
        enum CodingKeys: String, CodingKey {
            case token
            case expiresAt = "expires_at"
        }
    }

    struct IDBody: Decodable { var id: Int64 }

    struct JITBody: Decodable {
        var runner: GitHubRunner
        var encodedJITConfig: String
        enum CodingKeys: String, CodingKey {
            case runner
            case encodedJITConfig = "encoded_jit_config"
        }
    }

    struct RunnersPage: Decodable { var runners: [GitHubRunner] }

    struct GroupsPage: Decodable {
        var runnerGroups: [Group]
        struct Group: Decodable {
            var id: Int64
            var name: String
        }
        enum CodingKeys: String, CodingKey { case runnerGroups = "runner_groups" }
    }
}

/// Installation ids and runner-group ids rarely change: looked up once per process.
actor LookupCache {
    private var installations: [InstallationLookup: Int64] = [:]
    private var groups: [String: Int64] = [:]

    func installation(_ key: InstallationLookup) -> Int64? { installations[key] }
    func setInstallation(_ key: InstallationLookup, _ id: Int64) { installations[key] = id }
    func group(_ target: RunnerTarget, _ name: String) -> Int64? { groups["\(target)#\(name.lowercased())"] }
    func setGroup(_ target: RunnerTarget, _ name: String, _ id: Int64) { groups["\(target)#\(name.lowercased())"] = id }
}
