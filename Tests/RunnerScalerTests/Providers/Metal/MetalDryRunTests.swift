import Foundation
import Logging
import Testing
@testable import RunnerScaler

@Suite("Metal provider: construction, key resolution and dry runs", .serialized)
final class MetalDryRunTests {
    let fake: MetalFake
    init() throws { fake = try MetalFake() }

    func context(dryRun: Bool, environment: [String: String] = [:], secrets: any SecretResolving = StandardSecretResolver()) -> ProviderContext {
        ProviderContext(environment: environment, http: CurlHTTPClient(), secrets: secrets,
                        logger: Logger(label: "test.metal") { _ in SwiftLogNoOpLogHandler() }, dryRun: dryRun, managedBy: "rs")
    }

    @Test("A dry run sends nothing and plans the exact requests with the user data redacted")
    func dryRunPlans() async throws {
        let pool = MetalFake.pool(fake.settings(spotPriceMax: 0.5, forceDelete: true))
        // No METAL_AUTH_TOKEN and no metal.token: a dry run needs no key.
        var settings = fake.settings(spotPriceMax: 0.5, forceDelete: true)
        settings.token = nil
        let keyless = MetalFake.pool(settings)
        let provider = try await MetalProvider.make(config: ScalerConfig(pools: [keyless]), context: context(dryRun: true))

        let launch = try await provider.launch(MetalFake.spec(pool))
        guard case let .planned(plan) = launch else { Issue.record("expected .planned, got \(launch)"); return }
        let base = "\(fake.apiURL)/projects/\(MetalFake.projectID)/devices"
        #expect(plan.hasPrefix("GET \(base)?hostname=rs-linux-4242-1&page=1&per_page=100, then if no device of ours is named rs-linux-4242-1: "))
        let post = try #require(plan.range(of: "POST \(base) "))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan[post.upperBound...].utf8)) as? [String: Any])
        #expect(json["hostname"] as? String == "rs-linux-4242-1")
        #expect(json["plan"] as? String == "c3.small.x86")
        #expect(json["operating_system"] as? String == "ubuntu_22_04")
        #expect(json["metro"] as? String == "da")
        #expect(json["spot_instance"] as? Bool == true)
        #expect(json["spot_price_max"] as? Double == 0.5)
        #expect(json["userdata"] as? String == "<redacted: \(MetalFake.userData.utf8.count) bytes>")
        #expect((json["tags"] as? [String])?.contains("runner-scaler:job-id=4242") == true)
        #expect(!plan.contains("JITCONFIG"))

        let known = RunnerHost(id: "8c1f5e2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b", runnerName: "rs-linux-4242-1", pool: "linux")
        #expect(try await provider.terminate(known) == .planned("DELETE \(fake.apiURL)/devices/\(known.id)?force_delete=true"))
        let found = try await provider.find(runnerName: "rs-linux-4242-1", pool: keyless)
        #expect(found.count == 1)
        guard case let .planned(deletePlan) = try await provider.terminate(found[0]) else { Issue.record("no plan"); return }
        #expect(deletePlan.contains("DELETE \(fake.apiURL)/devices/{id}?force_delete=true"))
        #expect(try await provider.list(pool: keyless).isEmpty)

        #expect(try await fake.requests().isEmpty)
    }

    @Test("The API key is resolved once, at construction, and shared by pools with the same reference")
    func keyResolvedOnce() async throws {
        let resolver = MetalCountingResolver()
        var viaEnv = fake.settings()
        viaEnv.token = nil
        let linux = MetalFake.pool(viaEnv, name: "linux")
        let arm = MetalFake.pool(viaEnv, name: "arm")
        let provider = try await MetalProvider.make(
            config: ScalerConfig(pools: [linux, arm]),
            context: context(dryRun: false, environment: ["METAL_AUTH_TOKEN": MetalFake.token], secrets: resolver))
        #expect(resolver.resolved == [.literal(Secret(MetalFake.token))])
        _ = try await provider.launch(MetalFake.spec(linux))
        _ = try await provider.list(pool: arm)
        #expect(resolver.resolved.count == 1)
        #expect(try await fake.requests().allSatisfy { $0["auth_valid"] as? Bool == true })
        try await fake.expectConformant()
    }

    @Test("A pool's metal.token reference wins over METAL_AUTH_TOKEN and may point at a file")
    func tokenFromFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metal-token-\(UUID().uuidString)")
        try (MetalFake.token + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var settings = fake.settings()
        settings.token = SecretReference(parsing: "file:\(file.path)")
        let pool = MetalFake.pool(settings)
        let provider = try await MetalProvider.make(config: ScalerConfig(pools: [pool]),
                                                    context: context(dryRun: false, environment: ["METAL_AUTH_TOKEN": "ignored"]))
        #expect(try await provider.list(pool: pool).isEmpty)
        try await fake.expectConformant()
    }

    @Test("Without metal.token or METAL_AUTH_TOKEN the provider refuses to start and says what to set")
    func missingKey() async throws {
        var settings = fake.settings()
        settings.token = nil
        let config = ScalerConfig(pools: [MetalFake.pool(settings)])
        do {
            _ = try await MetalProvider.make(config: config, context: context(dryRun: false))
            Issue.record("expected ProviderUnavailable")
        } catch let error as ProviderUnavailable {
            #expect(error.kind == "metal")
            #expect("\(error)".contains("METAL_AUTH_TOKEN") && "\(error)".contains("metal.token"))
        }
        var unreadable = fake.settings()
        unreadable.token = .file(path: "/nonexistent/metal-token")
        do {
            _ = try await MetalProvider.make(config: ScalerConfig(pools: [MetalFake.pool(unreadable)]), context: context(dryRun: false))
            Issue.record("expected ProviderUnavailable")
        } catch let error as ProviderUnavailable {
            #expect("\(error)".contains("pool linux") && "\(error)".contains("file:/nonexistent/metal-token"))
        }
    }

    @Test("The provider set builds the metal provider for a metal pool")
    func providerSet() async throws {
        let pool = MetalFake.pool(fake.settings())
        let set = try await ProviderSet.make(for: ScalerConfig(pools: [pool]), context: context(dryRun: false))
        #expect(set.provider(for: pool).kind == "metal")
        #expect(try await set.provider(for: pool).list(pool: pool).isEmpty)
        try await fake.expectConformant()
    }
}
