import Foundation
import Testing
@testable import RunnerScaler

@Suite("Metal provider: launch, find, list and terminate against the spec-checked fake", .serialized)
final class MetalProviderTests {
    let fake: MetalFake
    init() throws { fake = try MetalFake() }

    @Test("Launch creates one device named after the runner, carrying the user data and the host tags as key=value")
    func launchCreatesDevice() async throws {
        let pool = MetalFake.pool(fake.settings())
        let spec = MetalFake.spec(pool)
        let outcome = try await fake.provider([pool]).launch(spec)

        guard case let .launched(host) = outcome else { Issue.record("expected .launched, got \(outcome)"); return }
        #expect(host.runnerName == "rs-linux-4242-1")
        #expect(host.pool == "linux")
        #expect(host.jobID == 4242)
        #expect(host.state == .pending)  // the 201 shows "provisioning"
        #expect(host.launchedAt != nil)

        let devices = try await fake.devices()
        #expect(devices.count == 1)
        let device = try #require(devices.first)
        #expect(device["id"] as? String == host.id)
        #expect(device["hostname"] as? String == "rs-linux-4242-1")
        #expect(device["userdata"] as? String == MetalFake.userData)
        #expect((device["plan"] as? [String: Any])?["slug"] as? String == "c3.small.x86")
        #expect((device["metro"] as? [String: Any])?["code"] as? String == "da")
        #expect(device["tags"] as? [String] == [
            "runner-scaler:managed-by=rs", "runner-scaler:pool=linux", "runner-scaler:runner-name=rs-linux-4242-1",
            "Name=rs-linux-4242-1", "runner-scaler:job-id=4242", "runner-scaler:run-id=9001",
            "runner-scaler:repository=octo-org/octo-repo",
        ])

        let post = try #require(try await fake.requests("POST").first)
        let body = try #require(post["body"] as? [String: Any])
        #expect(Set(body.keys) == ["hostname", "metro", "plan", "operating_system", "userdata", "tags"])
        #expect(post["content_type"] as? String == "application/json")
        #expect(post["auth_valid"] as? Bool == true)
        try await fake.expectConformant()
    }

    @Test("A facility pool sends the facility as a one-element list, and a spot pool sends spot_instance with spot_price_max")
    func facilityAndSpot() async throws {
        let pool = MetalFake.pool(fake.settings(metro: nil, facility: "sv15", spotPriceMax: 0.75))
        _ = try await fake.provider([pool]).launch(MetalFake.spec(pool))
        let body = try #require(try await fake.requests("POST").first?["body"] as? [String: Any])
        #expect(body["facility"] as? [String] == ["sv15"])
        #expect(body["metro"] == nil)
        #expect(body["spot_instance"] as? Bool == true)
        #expect(body["spot_price_max"] as? Double == 0.75)
        let device = try #require(try await fake.devices().first)
        #expect(device["spot_instance"] as? Bool == true)
        try await fake.expectConformant()
    }

    @Test("A duplicate launch finds the hostname first and creates nothing")
    func duplicateLaunchIsIdempotent() async throws {
        let pool = MetalFake.pool(fake.settings())
        let provider = fake.provider([pool])
        guard case let .launched(first) = try await provider.launch(MetalFake.spec(pool)) else {
            Issue.record("first launch did not launch"); return
        }
        let second = try await provider.launch(MetalFake.spec(pool))
        guard case let .alreadyExists(existing) = second else { Issue.record("expected .alreadyExists, got \(second)"); return }
        #expect(existing.id == first.id)
        #expect(existing.state == .running)  // read again after creation: "active"
        #expect(try await fake.devices().count == 1)
        #expect(try await fake.requests("POST").count == 1)
        let lookups = try await fake.requests("GET")
        #expect(lookups.count == 2)
        #expect((lookups.first?["query"] as? [String: [String]])?["hostname"] == ["rs-linux-4242-1"])
        try await fake.expectConformant()
    }

    @Test("The partial hostname match of the API does not pass a longer name off as the runner's host")
    func hostnameIsComparedExactly() async throws {
        let pool = MetalFake.pool(fake.settings())
        let provider = fake.provider([pool])
        _ = try await provider.launch(MetalFake.spec(pool, job: MetalFake.job(4242, attempt: 10)))  // rs-linux-4242-10
        let outcome = try await provider.launch(MetalFake.spec(pool, job: MetalFake.job(4242, attempt: 1)))  // rs-linux-4242-1
        guard case .launched = outcome else { Issue.record("expected .launched, got \(outcome)"); return }
        #expect(try await fake.devices().count == 2)
        let found = try await provider.find(runnerName: "rs-linux-4242-1", pool: pool)
        #expect(found.map(\.runnerName) == ["rs-linux-4242-1"])
        try await fake.expectConformant()
    }

    @Test("A create whose answer is lost after the device was made is found by hostname, not sent twice")
    func lostCreateAnswerIsNotRepeated() async throws {
        try await fake.faults([["method": "POST", "path": "/devices$", "status": 500, "apply": "after"]])
        let pool = MetalFake.pool(fake.settings())
        let sleeper = MetalTestSleeper()
        let outcome = try await fake.provider([pool], sleeper: sleeper).launch(MetalFake.spec(pool))
        guard case let .launched(host) = outcome else { Issue.record("expected .launched, got \(outcome)"); return }
        #expect(host.runnerName == "rs-linux-4242-1")
        #expect(try await fake.devices().count == 1)
        #expect(try await fake.requests("POST").count == 1)
        #expect(sleeper.waits.count == 1)
        try await fake.expectConformant()
    }

    @Test("A create refused with 503 before anything happened is sent again after checking the hostname")
    func refusedCreateIsRetried() async throws {
        try await fake.faults([["method": "POST", "path": "/devices$", "status": 503]])
        let pool = MetalFake.pool(fake.settings())
        let outcome = try await fake.provider([pool]).launch(MetalFake.spec(pool))
        guard case .launched = outcome else { Issue.record("expected .launched, got \(outcome)"); return }
        #expect(try await fake.devices().count == 1)
        #expect(try await fake.requests("POST").count == 2)
        #expect(try await fake.requests("GET").count == 2)  // one lookup before each create
        try await fake.expectConformant()
    }

    @Test("List follows pagination by the pool tag and keeps only this scaler's live devices of the pool")
    func listAcrossPages() async throws {
        let linux = MetalFake.pool(fake.settings(), name: "linux")
        let arm = MetalFake.pool(fake.settings(), name: "arm")
        let provider = fake.provider([linux, arm], pageSize: 2)
        var launched: [RunnerHost] = []
        for id in Int64(1)...5 {
            if case let .launched(host) = try await provider.launch(MetalFake.spec(linux, job: MetalFake.job(id))) { launched.append(host) }
        }
        _ = try await provider.launch(MetalFake.spec(arm, job: MetalFake.job(6)))
        // Same pool name, another scaler (prefix "other") in the same project: not ours.
        _ = try await provider.launch(MetalFake.spec(linux, job: MetalFake.job(7), managedBy: "other"))
        try #require(launched.count == 5)
        try await fake.force(device: launched[3].id, state: "deprovisioning")
        try await fake.force(device: launched[4].id, state: "inactive")  // powered itself off: still to be deleted

        let before = try await fake.requests("GET").count
        let hosts = try await provider.list(pool: linux)
        #expect(Set(hosts.map(\.runnerName)) == ["rs-linux-1-1", "rs-linux-2-1", "rs-linux-3-1", "rs-linux-5-1"])
        #expect(hosts.first { $0.runnerName == "rs-linux-5-1" }?.state == .stopping)
        #expect(hosts.allSatisfy { $0.pool == "linux" && $0.jobID != nil && $0.launchedAt != nil })

        let pages = Array(try await fake.requests("GET").dropFirst(before))
        let queries = pages.compactMap { $0["query"] as? [String: [String]] }
        #expect(queries.map { $0["page"] ?? [] } == [["1"], ["2"], ["3"]])  // 6 tagged devices, 2 per page
        #expect(queries.allSatisfy { $0["tag"] == ["runner-scaler:pool=linux"] && $0["per_page"] == ["2"] })
        try await fake.expectConformant()
    }

    @Test("Find returns the live device with exactly the runner's name and skips one being deleted")
    func findSkipsDevicesBeingDeleted() async throws {
        let pool = MetalFake.pool(fake.settings())
        let provider = fake.provider([pool])
        guard case let .launched(host) = try await provider.launch(MetalFake.spec(pool)) else { Issue.record("no launch"); return }
        #expect(try await provider.find(runnerName: host.runnerName, pool: pool).map(\.id) == [host.id])
        try await fake.force(device: host.id, state: "deprovisioning")
        #expect(try await provider.find(runnerName: host.runnerName, pool: pool).isEmpty)
        #expect(try await provider.find(runnerName: "rs-linux-9-1", pool: pool).isEmpty)
        try await fake.expectConformant()
    }

    @Test("Terminate deletes the device with force_delete from the pool settings")
    func terminateWithForceDelete() async throws {
        let pool = MetalFake.pool(fake.settings(forceDelete: true))
        let provider = fake.provider([pool])
        guard case let .launched(host) = try await provider.launch(MetalFake.spec(pool)) else { Issue.record("no launch"); return }
        let outcome = try await provider.terminate(host)
        guard case let .terminated(gone) = outcome else { Issue.record("expected .terminated, got \(outcome)"); return }
        #expect(gone.id == host.id)
        #expect(gone.state == .terminated)
        let state = try await fake.state()
        #expect((state["devices"] as? [Any])?.isEmpty == true)
        let deleted = try #require((state["deleted_devices"] as? [[String: Any]])?.first)
        #expect(deleted["id"] as? String == host.id)
        #expect(deleted["force_delete"] as? Bool == true)
        let delete = try #require(try await fake.requests("DELETE").first)
        #expect((delete["query"] as? [String: [String]])?["force_delete"] == ["true"])
        try await fake.expectConformant()
    }

    @Test("Terminating a device that is already gone counts as terminated")
    func terminateTwice() async throws {
        let pool = MetalFake.pool(fake.settings())
        let provider = fake.provider([pool])
        guard case let .launched(host) = try await provider.launch(MetalFake.spec(pool)) else { Issue.record("no launch"); return }
        _ = try await provider.terminate(host)
        let again = try await provider.terminate(host)
        guard case .terminated = again else { Issue.record("expected .terminated, got \(again)"); return }
        let deletes = try await fake.requests("DELETE")
        #expect(deletes.map { $0["status"] as? Int } == [204, 404])
        #expect((deletes.first?["query"] as? [String: [String]])?["force_delete"] == ["false"])
        try await fake.expectConformant()
    }

    @Test("The scaler's completed handling finds and deletes the device named by the runner")
    func scalerTerminatesThroughFind() async throws {
        let pool = MetalFake.pool(fake.settings())
        let provider = fake.provider([pool])
        _ = try await provider.launch(MetalFake.spec(pool))
        let scaler = Scaler(config: ScalerConfig(pools: [pool])) { _ in provider }
        let report = try await scaler.execute(.terminate(pool: "linux", runnerName: "rs-linux-4242-1", job: MetalFake.job()))
        #expect(report.result == .terminated)
        #expect(try await fake.devices().isEmpty)
        try await fake.expectConformant()
    }

    @Test("A host of a pool the provider was not built with is refused before any request")
    func unknownPool() async throws {
        let provider = fake.provider([MetalFake.pool(fake.settings())])
        let stray = RunnerHost(id: UUID().uuidString.lowercased(), runnerName: "rs-gone-1-1", pool: "gone")
        await #expect(throws: MetalProviderError.unknownPool("gone")) { try await provider.terminate(stray) }
        #expect(try await fake.requests().isEmpty)
    }
}
