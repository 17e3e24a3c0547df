import Foundation
import Logging
import Testing
@testable import RunnerScaler

@Suite("GitHub App client against the fake GitHub", .serialized)
final class GitHubAppClientTests {
    let github: FakeGitHub
    init() throws { github = try FakeGitHub() }
    deinit { github.stop() }

    let org = RunnerTarget.organization("octo-org")
    let deadline = Deadline.after(.seconds(20))

    @Test("JIT configs are minted at repo, org and enterprise scope with name, labels, group and work folder")
    func jitAtEveryScope() async throws {
        try await github.peer.control("POST", "/_control/runner-groups", json: ["enterprise": "acme", "id": 1, "name": "Default"])
        let client = try github.client()
        let targets: [RunnerTarget] = [.repository(owner: "octo-org", name: "octo-repo"), .organization("octo-org"), .enterprise("acme")]
        for (i, target) in targets.enumerated() {
            let jit = try await client.jitConfig(
                JITRequest(name: "rs-linux-\(i)-1", labels: ["self-hosted", "linux"], runnerGroupID: 1, workFolder: "_work"),
                target: target, installation: .id(4242), deadline: deadline)
            #expect(jit.runner.name == "rs-linux-\(i)-1")
            #expect(!jit.encodedConfig.isEmpty)
        }
        let calls = try await github.requests().filter { ($0["path"] as? String)?.hasSuffix("generate-jitconfig") == true }
        #expect(calls.map { $0["path"] as! String } == [
            "/repos/octo-org/octo-repo/actions/runners/generate-jitconfig", "/orgs/octo-org/actions/runners/generate-jitconfig",
            "/enterprises/acme/actions/runners/generate-jitconfig",
        ])
        let body = try #require(calls.first?["body"] as? [String: Any])
        #expect(body["name"] as? String == "rs-linux-0-1")
        #expect(body["labels"] as? [String] == ["self-hosted", "linux"])
        #expect(body["runner_group_id"] as? Int == 1)
        #expect(body["work_folder"] as? String == "_work")
        let state = try await github.peer.state()
        #expect((state["spec_violations"] as? [Any])?.isEmpty == true)
    }

    @Test("N concurrent requests make exactly one installation-token fetch")
    func tokenSingleFlight() async throws {
        let client = try github.client()
        let deadline = self.deadline
        try await withThrowingTaskGroup(of: Secret.self) { group in
            for _ in 0..<20 { group.addTask { try await client.installationToken(.id(4242), deadline: deadline) } }
            var tokens = Set<String>()
            for try await token in group { tokens.insert(token.exposedValue) }
            #expect(tokens.count == 1)
        }
        #expect(try await github.requests(matching: "POST /app/installations/{installation_id}/access_tokens").count == 1)
    }

    @Test("Cached tokens are refreshed 5 minutes before expiry, by the injected clock")
    func tokenRefresh() async throws {
        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        let cache = InstallationTokenCache(now: { clock.now })
        let client = try github.client(tokens: cache)
        let first = try await client.installationToken(.id(4242), deadline: deadline)
        clock.now = Date().addingTimeInterval(3600 - 6 * 60)  // fake tokens live one hour
        #expect(try await client.installationToken(.id(4242), deadline: deadline) == first)
        clock.now = Date().addingTimeInterval(3600 - 4 * 60)
        let second = try await client.installationToken(.id(4242), deadline: deadline)
        #expect(second != first)
        #expect(try await github.requests(matching: "POST /app/installations/{installation_id}/access_tokens").count == 2)
    }

    @Test("Installations are discovered per repository and per org, once each")
    func discovery() async throws {
        let client = try github.client()
        #expect(try await client.installationID(.repository(owner: "octo-org", name: "octo-repo"), deadline: deadline) == 4242)
        #expect(try await client.installationID(.repository(owner: "octo-org", name: "octo-repo"), deadline: deadline) == 4242)
        #expect(try await client.installationID(.organization("octo-org"), deadline: deadline) == 4242)
        #expect(try await github.requests(matching: "GET /repos/{owner}/{repo}/installation").count == 1)
        await #expect(throws: GitHubError.self) {
            try await client.installationID(.organization("nobody-here"), deadline: self.deadline)
        }
    }

    @Test("Runner groups are resolved by name through the API, and cached")
    func runnerGroups() async throws {
        try await github.peer.control("POST", "/_control/runner-groups", json: ["org": "octo-org", "id": 7, "name": "Linux Fleet"])
        let client = try github.client()
        #expect(try await client.runnerGroupID(named: "linux fleet", target: org, installation: .id(4242), deadline: deadline) == 7)
        #expect(try await client.runnerGroupID(named: "Linux Fleet", target: org, installation: .id(4242), deadline: deadline) == 7)
        #expect(try await client.runnerGroupID(named: nil, target: org, installation: .id(4242), deadline: deadline) == 1)
        #expect(try await github.requests(matching: "GET /orgs/{org}/actions/runner-groups").count == 1)
        await #expect(throws: GitHubError.runnerGroupNotFound(name: "gpu", target: "org octo-org")) {
            try await client.runnerGroupID(named: "gpu", target: self.org, installation: .id(4242), deadline: self.deadline)
        }
    }

    @Test("Listing runners follows the Link header across pages")
    func pagination() async throws {
        let seeds = (0..<250).map { ["scope": "orgs/octo-org", "name": "rs-linux-\($0)-1", "status": "online", "busy": false] as [String: Any] }
        try await github.peer.control("POST", "/_control/runners", json: seeds)
        let client = try github.client()
        let runners = try await client.listRunners(target: org, installation: .id(4242), deadline: deadline)
        #expect(runners.count == 250)
        #expect(Set(runners.map(\.name)).count == 250)
        #expect(try await github.requests(matching: "GET /orgs/{org}/actions/runners").count == 3)

        // A lookup by name asks for that name: one page, however many runners there are.
        let found = try await client.findRunner(named: "rs-linux-200-1", target: org, installation: .id(4242), deadline: deadline)
        #expect(found?.name == "rs-linux-200-1")
        let lookups = try await github.requests(matching: "GET /orgs/{org}/actions/runners").dropFirst(3)
        #expect(lookups.count == 1)
        #expect((lookups.first?["query"] as? [String: Any])?["name"] as? String == "rs-linux-200-1", "\(lookups)")
    }

    @Test("Find by name, delete (404 counts as gone), registration and remove tokens")
    func runnerLifecycle() async throws {
        let client = try github.client()
        _ = try await client.jitConfig(JITRequest(name: "rs-a-1-1", labels: ["self-hosted"], runnerGroupID: 1), target: org,
                                       installation: .id(4242), deadline: deadline)
        let found = try #require(try await client.findRunner(named: "rs-a-1-1", target: org, installation: .id(4242), deadline: deadline))
        #expect(found.status == "offline")
        #expect(try await client.deleteRunner(id: found.id, target: org, installation: .id(4242), deadline: deadline))
        #expect(try await client.deleteRunner(id: found.id, target: org, installation: .id(4242), deadline: deadline) == false)
        #expect(try await client.findRunner(named: "rs-a-1-1", target: org, installation: .id(4242), deadline: deadline) == nil)
        let registration = try await client.registrationToken(target: org, installation: .id(4242), deadline: deadline)
        #expect(!registration.token.isEmpty)
        #expect(registration.expiresAt != nil)
        let remove = try await client.removeToken(target: org, installation: .id(4242), deadline: deadline)
        #expect(!remove.token.isEmpty)
    }

    @Test("A duplicate JIT runner name is a 409 error with GitHub's message")
    func conflict() async throws {
        let client = try github.client()
        let request = JITRequest(name: "rs-dup-1-1", labels: ["self-hosted"], runnerGroupID: 1)
        _ = try await client.jitConfig(request, target: org, installation: .id(4242), deadline: deadline)
        do {
            _ = try await client.jitConfig(request, target: org, installation: .id(4242), deadline: deadline)
            Issue.record("no conflict")
        } catch let error as HTTPStatusError {
            #expect(error.status == 409)
            #expect(error.method == "POST")
            #expect(error.path == "/orgs/octo-org/actions/runners/generate-jitconfig")
            #expect(!error.message.isEmpty)
        }
    }

    @Test("5xx from GitHub is retried; 422 is not")
    func retries() async throws {
        let client = try github.client()
        try await github.faults([["method": "POST", "path": "generate-jitconfig", "status": 503, "count": 2]])
        _ = try await client.jitConfig(JITRequest(name: "rs-r-1-1", labels: ["self-hosted"], runnerGroupID: 1), target: org,
                                       installation: .id(4242), deadline: deadline)
        #expect(try await github.count("POST", pathSuffix: "/generate-jitconfig") == 3)
        try await github.peer.control("DELETE", "/_control/requests")
        await #expect(throws: HTTPStatusError.self) {
            _ = try await client.jitConfig(JITRequest(name: "rs-r-2-1", labels: [], runnerGroupID: 1), target: self.org,
                                           installation: .id(4242), deadline: self.deadline)
        }
        #expect(try await github.count("POST", pathSuffix: "/generate-jitconfig") == 1)
    }

    @Test("429 with Retry-After waits within the deadline; beyond it, fails fast")
    func rateLimits() async throws {
        let client = try github.client()
        try await github.faults([["path": "/actions/runners$", "status": 429, "retry_after": 1, "count": 1]])
        let started = ContinuousClock.now
        _ = try await client.listRunners(target: org, installation: .id(4242), deadline: deadline)
        #expect(ContinuousClock.now - started >= .milliseconds(900))
        try await github.faults([["path": "/actions/runners$", "status": 403, "ratelimit_reset_in": 120, "count": 1]])
        await #expect(throws: RateLimitedError.self) {
            _ = try await client.listRunners(target: self.org, installation: .id(4242), deadline: .after(.seconds(5)))
        }
    }

    @Test("Every request sends the API version header and a runner-scaler User-Agent")
    func headers() async throws {
        let client = try github.client()
        _ = try await client.listRunners(target: org, installation: .id(4242), deadline: deadline)
        let requests = try await github.requests()
        #expect(!requests.isEmpty)
        for request in requests {
            let headers = request["headers"] as! [String: Any]
            #expect(headers["x-github-api-version"] as? String == "2022-11-28")
            #expect((headers["user-agent"] as? String)?.hasPrefix("runner-scaler/") == true)
        }
    }

    @Test("No token or key appears in any error or log line")
    func noSecretsLeak() async throws {
        let capture = LogCapture()
        let client = try github.client(logger: capture.logger())
        let token = try await client.installationToken(.id(4242), deadline: deadline)
        var errors: [String] = []
        try await github.faults([["path": "runners$", "status": 500, "count": -1]])
        do { _ = try await client.listRunners(target: org, installation: .id(4242), deadline: .after(.seconds(3))) } catch { errors.append("\(error)") }
        try await github.peer.control("DELETE", "/_control/faults")
        do { _ = try await client.jitConfig(JITRequest(name: "x", labels: [], runnerGroupID: 1), target: org, installation: .id(4242), deadline: deadline) } catch {
            errors.append("\(error)")
        }
        do { _ = try await client.installationID(.organization("nobody"), deadline: deadline) } catch { errors.append("\(error)") }
        #expect(errors.count == 3)
        let keyBody = FakeGitHub.privateKeyPEM.split(separator: "\n")[1]
        for text in errors + capture.lines {
            #expect(!text.contains(token.exposedValue))
            #expect(!text.contains("eyJhbGciOiJSUzI1NiIs"))  // any JWT
            #expect(!text.contains(keyBody))
            #expect(!text.contains("ghs_"))
        }
    }
}

@Suite("GitHub Enterprise Server base URLs", .serialized)
final class GHESTests {
    let github: FakeGitHub
    init() throws { github = try FakeGitHub(prefix: "/api/v3") }
    deinit { github.stop() }

    @Test("A GHES API URL keeps its /api/v3 prefix on every path")
    func prefixedPaths() async throws {
        let client = try github.client()
        _ = try await client.jitConfig(JITRequest(name: "rs-g-1-1", labels: ["self-hosted"], runnerGroupID: 1),
                                       target: .organization("octo-org"), installation: .organization("octo-org"), deadline: .after(.seconds(20)))
        let paths = try await github.peer.requests().map { $0["path"] as! String }
        #expect(paths == ["/api/v3/orgs/octo-org/installation", "/api/v3/app/installations/4242/access_tokens",
                          "/api/v3/orgs/octo-org/actions/runners/generate-jitconfig"])
    }

    @Test("Web URLs for runner registration derive from the API URL")
    func webURLs() {
        #expect(GitHubURLs.webURL(apiURL: "https://api.github.com") == "https://github.com")
        #expect(GitHubURLs.webURL(apiURL: "https://ghes.example.com/api/v3/") == "https://ghes.example.com")
        #expect(GitHubURLs.webURL(apiURL: "https://api.octocorp.ghe.com") == "https://octocorp.ghe.com")
        #expect(RunnerTarget.organization("o").webURL(apiURL: "https://ghes.example.com/api/v3") == "https://ghes.example.com/o")
    }

    @Test("Names are percent-encoded into paths so they cannot change the route")
    func pathEncoding() {
        #expect(RunnerTarget.repository(owner: "o", name: "../../app").pathPrefix == "/repos/o/..%2F..%2Fapp")
        #expect(RunnerTarget.enterprise("a b").pathPrefix == "/enterprises/a%20b")
    }
}

@Suite("Link header parsing")
struct LinkHeaderTests {
    @Test("next and last are found among several relations")
    func parse() {
        let header = #"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last""#
        #expect(LinkHeader.url(header, rel: "next") == "https://api.github.com/x?page=2")
        #expect(LinkHeader.url(header, rel: "last") == "https://api.github.com/x?page=5")
        #expect(LinkHeader.url(header, rel: "prev") == nil)
        #expect(LinkHeader.url(nil, rel: "next") == nil)
    }
}
