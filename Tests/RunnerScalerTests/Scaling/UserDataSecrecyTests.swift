import Foundation
import Testing
@testable import RunnerScaler

@Suite("User data carries only single-use credentials", .serialized)
final class UserDataSecrecyTests {
    let github: FakeGitHub
    init() throws { github = try FakeGitHub() }
    deinit { github.stop() }

    @Test("The user data of a real launch holds the JIT config but no installation token, JWT or App key",
          arguments: [RunnerRegistration.jit, .registrationToken])
    func noLongLivedCredentials(registration: RunnerRegistration) async throws {
        let client = try github.client()
        var pool = Fixtures.pool("linux", labels: ["self-hosted", "linux"])
        pool.registration = registration
        let provider = InMemoryProvider()
        let scaler = Scaler(config: ScalerConfig(pools: [pool]), github: client, apiURL: github.apiURL) { _ in provider }
        let job = Fixtures.job(id: Int64.random(in: 1...1_000_000))
        #expect(try await scaler.execute(.launch(pool: "linux", job: job), deadline: .after(.seconds(20))).result == .launched)
        let userData = try #require(provider.launched.first?.userData).exposedValue
        let installationToken = try await client.installationToken(.id(4242), deadline: .after(.seconds(20))).exposedValue
        #expect(installationToken.hasPrefix("ghs_"))
        #expect(!userData.contains(installationToken))
        #expect(!userData.contains("ghs_"))
        #expect(!userData.contains("eyJhbGciOiJSUzI1NiIs"))  // no App JWT
        for line in FakeGitHub.privateKeyPEM.split(separator: "\n") where line.count > 20 {
            #expect(!userData.contains(line))
        }
        if registration == .jit {
            #expect(userData.contains("RUNNER_MODE='jit'"))
            #expect(!userData.contains("JIT_CONFIG=''"))
        } else {
            #expect(userData.contains("RUNNER_MODE='token'"))
            #expect(userData.contains("--ephemeral"))
        }
    }
}
