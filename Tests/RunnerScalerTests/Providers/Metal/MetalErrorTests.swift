import Foundation
import Logging
import Testing
@testable import RunnerScaler

@Suite("Metal provider: API errors, retries and the token's secrecy", .serialized)
final class MetalErrorTests {
    let fake: MetalFake
    init() throws { fake = try MetalFake() }

    func error(_ body: () async throws -> Void) async -> (any Error)? {
        do { try await body() } catch { return error }
        return nil
    }

    @Test("401 says the token was not accepted and quotes the API's errors")
    func unauthorized() async throws {
        let pool = MetalFake.pool(fake.settings())
        let failure = await error { _ = try await fake.provider([pool], token: "not-the-key").list(pool: pool) }
        #expect(failure as? MetalAPIError == .unauthorized(request: "GET /projects/{id}/devices", errors: ["Invalid authentication token"]))
        let text = "\(failure.map { "\($0)" } ?? "")"
        #expect(text.hasPrefix("Metal API refused GET /projects/{id}/devices (401): Invalid authentication token."))
        #expect(text.contains("metal.token") && text.contains("METAL_AUTH_TOKEN"))
        #expect(!text.contains("not-the-key"))
        try await fake.expectConformant()
    }

    @Test("403 from a read-only key says which key to use and creates nothing")
    func forbidden() async throws {
        try await fake.peer.control("POST", "/_control/readonly-token", json: ["token": "read-only-key"])
        let pool = MetalFake.pool(fake.settings())
        let failure = await error { _ = try await fake.provider([pool], token: "read-only-key").launch(MetalFake.spec(pool)) }
        guard case let .forbidden(request, errors)? = failure as? MetalAPIError else { Issue.record("got \(String(describing: failure))"); return }
        #expect(request == "POST /projects/{id}/devices")
        #expect(errors == ["You are not authorized to perform this action (read-only token)"])
        #expect("\(failure!)".contains("read/write API key"))
        #expect(try await fake.devices().isEmpty)
        try await fake.expectConformant()
    }

    @Test("404 for an unknown project points at projectId and apiURL")
    func notFound() async throws {
        let pool = MetalFake.pool(fake.settings(projectID: "00000000-0000-4000-8000-000000000000"))
        let failure = await error { _ = try await fake.provider([pool]).launch(MetalFake.spec(pool)) }
        #expect(failure as? MetalAPIError == .notFound(request: "GET /projects/{id}/devices", errors: ["Not found"]))
        #expect("\(failure!)".contains("metal.projectId"))
        try await fake.expectConformant()
    }

    @Test("422 quotes every message of the errors array")
    func unprocessable() async throws {
        try await fake.faults([["method": "POST", "status": 422,
                                "errors": ["plan c3.small.x86 is not available in metro da", "try another metro"]]])
        let pool = MetalFake.pool(fake.settings())
        let failure = await error { _ = try await fake.provider([pool]).launch(MetalFake.spec(pool)) }
        #expect("\(failure!)".hasPrefix(
            "Metal API refused POST /projects/{id}/devices (422): plan c3.small.x86 is not available in metro da; try another metro."))
        #expect(try await fake.requests("POST").count == 1)  // a refusal is not retried
        try await fake.expectConformant()
    }

    @Test("429 with Retry-After is waited out and the request sent again")
    func rateLimited() async throws {
        try await fake.faults([["method": "GET", "status": 429, "retry_after": 2],
                               ["method": "POST", "status": 429, "retry_after": 1]])
        let pool = MetalFake.pool(fake.settings())
        let sleeper = MetalTestSleeper()
        let outcome = try await fake.provider([pool], sleeper: sleeper).launch(MetalFake.spec(pool))
        guard case .launched = outcome else { Issue.record("expected .launched, got \(outcome)"); return }
        #expect(sleeper.waits == [.seconds(2), .seconds(1)])
        #expect(try await fake.requests("POST").count == 2)  // the first was refused before anything happened
        #expect(try await fake.devices().count == 1)
        try await fake.expectConformant()
    }

    @Test("5xx on a read is retried with backoff until it succeeds")
    func serverErrorsRetried() async throws {
        try await fake.faults([["method": "GET", "status": 502, "count": 2]])
        let pool = MetalFake.pool(fake.settings())
        let sleeper = MetalTestSleeper()
        let hosts = try await fake.provider([pool], sleeper: sleeper).list(pool: pool)
        #expect(hosts.isEmpty)
        #expect(sleeper.waits.count == 2)
        #expect(try await fake.requests("GET").count == 3)
        try await fake.expectConformant()
    }

    @Test("5xx that outlasts the retry policy ends in an error quoting the last answer")
    func serverErrorsGiveUp() async throws {
        try await fake.faults([["method": "DELETE", "status": 503, "count": -1, "errors": ["maintenance in progress"]]])
        let pool = MetalFake.pool(fake.settings())
        let host = RunnerHost(id: UUID().uuidString.lowercased(), runnerName: "rs-linux-1-1", pool: "linux")
        let failure = await error { _ = try await fake.provider([pool]).terminate(host) }
        #expect(failure as? MetalAPIError == .serverError(status: 503, request: "DELETE /devices/{id}", errors: ["maintenance in progress"]))
        #expect(try await fake.requests("DELETE").count == RetryPolicy.standard.maxAttempts)
        try await fake.expectConformant()
    }

    @Test("No token appears in any error or log line, even when the API echoes it back")
    func tokenNeverPrinted() async throws {
        let capture = LogCapture()
        let pool = MetalFake.pool(fake.settings())
        let provider = fake.provider([pool], logger: capture.logger("test.metal", level: .trace))
        var texts: [String] = []
        // A success, a retried 5xx and a 429 so every log path runs.
        try await fake.faults([["method": "GET", "status": 500], ["method": "GET", "status": 429, "retry_after": 0]])
        if case let .launched(host) = try await provider.launch(MetalFake.spec(pool)) {
            _ = try await provider.list(pool: pool)
            _ = try await provider.terminate(host)
        }
        // An error body that repeats the token (a misbehaving proxy, say).
        try await fake.faults([["method": "GET", "status": 422, "errors": ["token \(MetalFake.token) is not valid here"]]])
        if let failure = await error({ _ = try await provider.list(pool: pool) }) { texts.append("\(failure)"); texts.append(String(reflecting: failure)) }
        if let failure = await error({ _ = try await fake.provider([pool], token: "wrong-\(MetalFake.token)").list(pool: pool) }) {
            texts.append("\(failure)")
        }
        #expect(texts.count == 3)
        #expect(texts.first?.contains("<redacted>") == true)
        texts += capture.lines
        #expect(capture.lines.contains { $0.contains("retrying") })
        #expect(capture.lines.contains { $0.contains("metal api") })
        for text in texts {
            #expect(!text.contains(MetalFake.token), "token leaked: \(text)")
            #expect(!text.contains("JITCONFIG-abc123"), "user data leaked: \(text)")
        }
        try await fake.expectConformant()
    }

    @Test("The legacy base URL without /metal/v1 works the same")
    func legacyBaseURL() async throws {
        let legacy = try MetalFake(prefix: "")
        let pool = MetalFake.pool(legacy.settings(forceDelete: true, apiURL: legacy.peer.baseURL + "/"))
        let provider = legacy.provider([pool])
        guard case let .launched(host) = try await provider.launch(MetalFake.spec(pool)) else { Issue.record("no launch"); return }
        #expect(try await provider.list(pool: pool).map(\.id) == [host.id])
        _ = try await provider.terminate(host)
        #expect(try await legacy.devices().isEmpty)
        let paths = try await legacy.requests().compactMap { $0["path"] as? String }
        #expect(paths.allSatisfy { !$0.hasPrefix("/metal/v1") && !$0.hasPrefix("//") })
        #expect(paths.contains("/devices/\(host.id)"))
        try await legacy.expectConformant()
    }
}
