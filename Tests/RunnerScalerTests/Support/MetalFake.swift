import Foundation
import Logging
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import RunnerScaler

/// The spec-checking fake Metal API (Tests/Peers/fake_metal.py) plus the pools, specs and
/// providers the Metal tests build against it.
final class MetalFake: @unchecked Sendable {
    static let token = "mtok-5c0ffee-do-not-print-9f3a"
    static let projectID = "6b1d3f0a-2c4e-4a8b-9d7f-1e3c5a7b9d20"

    let peer: TestPeer
    let prefix: String

    init(prefix: String = "/metal/v1", provisioningReads: Int = 0) throws {
        self.prefix = prefix
        peer = try TestPeer(script: "fake_metal.py", arguments: [
            "--prefix", prefix, "--token", Self.token, "--project-id", Self.projectID,
            "--provisioning-reads", String(provisioningReads),
        ])
    }

    deinit { peer.stop() }

    var apiURL: String { peer.baseURL + prefix }

    // MARK: config

    func settings(metro: String? = "da", facility: String? = nil, spotPriceMax: Double? = nil, forceDelete: Bool = false,
                  projectID: String = MetalFake.projectID, apiURL: String? = nil) -> MetalPoolSettings {
        MetalPoolSettings(apiURL: apiURL ?? self.apiURL, token: .literal(Secret(Self.token)), projectID: projectID,
                          metro: metro, facility: facility, plan: "c3.small.x86", operatingSystem: "ubuntu_22_04",
                          spotPriceMax: spotPriceMax, forceDelete: forceDelete)
    }

    static func pool(_ settings: MetalPoolSettings, name: String = "linux") -> PoolConfig {
        PoolConfig(name: name, labels: ["self-hosted", "linux"], provider: .metal(settings))
    }

    static func job(_ id: Int64 = 4242, attempt: Int = 1) -> JobReference {
        JobReference(id: id, runID: 9001, runAttempt: attempt, repository: "octo-org/octo-repo", owner: "octo-org",
                     labels: ["self-hosted", "linux"])
    }

    static let userData = "#!/bin/bash\n# runner boot script\necho JITCONFIG-abc123 > /dev/null\nshutdown -h +1\n"

    static func spec(_ pool: PoolConfig, job: JobReference = MetalFake.job(), managedBy: String = "rs") -> HostSpec {
        HostSpec(runnerName: RunnerNaming.runnerName(prefix: managedBy, pool: pool.name, job: job), pool: pool, job: job,
                 userData: Secret(userData), managedBy: managedBy)
    }

    /// A provider for `pools` whose waits are recorded, not slept.
    func provider(_ pools: [PoolConfig], token: String = MetalFake.token, sleeper: MetalTestSleeper = MetalTestSleeper(),
                  logger: Logger = Logger(label: "test.metal") { _ in SwiftLogNoOpLogHandler() }, pageSize: Int = 100,
                  managedBy: String = "rs") -> MetalProvider {
        var options = MetalProvider.Options()
        options.sleeper = sleeper
        options.pageSize = pageSize
        let metal = pools.compactMap { pool -> (name: String, settings: MetalPoolSettings)? in
            if case let .metal(settings) = pool.provider { (pool.name, settings) } else { nil }
        }
        let credentials = MetalCredentials(byPool: Dictionary(uniqueKeysWithValues: metal.map { ($0.name, Secret(token)) }))
        return MetalProvider(pools: metal, credentials: credentials, http: CurlHTTPClient(), managedBy: managedBy,
                             logger: logger, options: options)
    }

    // MARK: control

    func state() async throws -> [String: Any] { try await peer.state() }

    func devices() async throws -> [[String: Any]] { try await state()["devices"] as? [[String: Any]] ?? [] }

    func violations() async throws -> [[String: Any]] { try await state()["spec_violations"] as? [[String: Any]] ?? [] }

    func requests(_ method: String? = nil) async throws -> [[String: Any]] {
        try await peer.requests().filter { method == nil || ($0["method"] as? String) == method }
    }

    func faults(_ rules: [[String: Any]]) async throws { try await peer.control("POST", "/_control/faults", json: rules) }

    func force(device id: String, state: String) async throws {
        try await peer.control("POST", "/_control/devices/\(id)", json: ["state": state])
    }

    /// Every test ends here: nothing the client sent broke the spec.
    func expectConformant(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let violations = try await violations()
        #expect(violations.isEmpty, "spec violations: \(violations)", sourceLocation: sourceLocation)
    }

    /// A raw API request that bypasses the client under test.
    func raw(_ method: String, _ path: String, json: Any) async throws -> (status: Int, body: Any?) {
        var request = URLRequest(url: URL(string: apiURL + path)!)
        request.httpMethod = method
        request.setValue(Self.token, forHTTPHeaderField: "X-Auth-Token")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
    }
}

/// Records retry waits instead of sleeping, so retry tests take no wall-clock time.
final class MetalTestSleeper: RetrySleeper, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var waits: [Duration] { lock.withLock { recorded } }
    func sleep(for duration: Duration) async throws { lock.withLock { recorded.append(duration) } }
    func now() -> Date { Date() }
    func random() -> Double { 0.5 }
}

/// Counts resolutions, to show the API key is read once per provider, not per call.
final class MetalCountingResolver: SecretResolving, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [SecretReference] = []
    private let base = StandardSecretResolver()

    var resolved: [SecretReference] { lock.withLock { seen } }

    func resolve(_ reference: SecretReference) async throws -> Secret {
        lock.withLock { seen.append(reference) }
        return try await base.resolve(reference)
    }
}
