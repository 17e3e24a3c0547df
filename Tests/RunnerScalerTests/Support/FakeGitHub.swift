import Foundation
import Logging
@testable import RunnerScaler

/// The Python fake GitHub (Tests/Peers/fake_github.py) plus a client wired to it with the
/// TEST-ONLY App key from the conformance vectors.
final class FakeGitHub: @unchecked Sendable {
    let peer: TestPeer
    let prefix: String

    static let appID: Int64 = 123456
    static var privateKeyPEM: String { AppJWTTests.pkcs1 }

    init(prefix: String = "", tokenTTL: Int? = nil) throws {
        var arguments: [String] = []
        if !prefix.isEmpty { arguments += ["--prefix", prefix] }
        if let tokenTTL { arguments += ["--token-ttl", String(tokenTTL)] }
        peer = try TestPeer(script: "fake_github.py", arguments: arguments)
        self.prefix = prefix
    }

    var apiURL: String { peer.baseURL + prefix }

    func client(tokens: InstallationTokenCache = InstallationTokenCache(), sleeper: any RetrySleeper = SystemRetrySleeper(),
                logger: Logger = Logger(label: "test"), policy: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(10))) throws -> GitHubAppClient {
        let key = try RSAPrivateKey(Secret(Self.privateKeyPEM))
        return GitHubAppClient(apiURL: apiURL, jwt: AppJWT(identity: .appID(Self.appID), key: key),
                               http: RetryingHTTPClient(base: CurlHTTPClient(), policy: policy, sleeper: sleeper, logger: logger),
                               tokens: tokens, logger: logger)
    }

    func faults(_ rules: [[String: Any]]) async throws { try await peer.control("POST", "/_control/faults", json: rules) }

    func requests(matching operation: String? = nil) async throws -> [[String: Any]] {
        let all = try await peer.requests()
        guard let operation else { return all }
        return all.filter { ($0["operation"] as? String) == operation }
    }

    /// Requests by method and path suffix, faulted ones included (the fake logs those before
    /// it routes them, so they carry no operation name).
    func count(_ method: String, pathSuffix: String) async throws -> Int {
        try await peer.requests().filter {
            ($0["method"] as? String) == method && (($0["path"] as? String)?.hasSuffix(pathSuffix) ?? false)
        }.count
    }

    func stop() { peer.stop() }
}
