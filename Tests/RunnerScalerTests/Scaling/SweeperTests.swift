import Foundation
import Testing
@testable import RunnerScaler

@Suite("Sweep planning")
struct SweepPlannerTests {
    let now = Date(timeIntervalSince1970: 2_000_000)
    var pool: PoolConfig {
        var p = Fixtures.pool("linux", labels: ["self-hosted", "linux"], maxRunners: 5)
        p.bootTimeout = .seconds(600)
        p.maxLifetime = .seconds(8 * 3600)
        return p
    }
    let org = RunnerTarget.organization("octo-org")

    func host(_ name: String, age: TimeInterval) -> RunnerHost {
        RunnerHost(id: "i-\(name)", runnerName: name, pool: "linux", state: .running, launchedAt: now.addingTimeInterval(-age))
    }

    func plan(_ hosts: [RunnerHost], _ runners: [GitHubRunner], pool: PoolConfig? = nil) -> [SweepAction] {
        SweepPlanner.plan(.init(pool: pool ?? self.pool, prefix: "rs", hosts: hosts, runners: runners.map { ($0, org) }, now: now))
    }

    @Test("A host with no registered runner after the boot timeout is terminated; a younger one is kept")
    func bootTimeout() {
        let actions = plan([host("rs-linux-1-1", age: 601), host("rs-linux-2-1", age: 599)], [])
        #expect(actions == [.terminate(host("rs-linux-1-1", age: 601), reason: "no registered runner after bootTimeout (600s)")])
    }

    @Test("A host whose runner is offline is terminated once past boot")
    func offline() {
        let actions = plan([host("rs-linux-1-1", age: 900)], [GitHubRunner(id: 1, name: "rs-linux-1-1", status: "offline")])
        #expect(actions.map(\.kind) == ["terminate"])
        #expect(actions.first?.reason == "runner rs-linux-1-1 is offline")
    }

    @Test("A host older than maxLifetime is terminated even when its runner is busy")
    func maxLifetime() {
        let actions = plan([host("rs-linux-1-1", age: 8 * 3600 + 1)], [GitHubRunner(id: 1, name: "rs-linux-1-1", status: "online", busy: true)])
        #expect(actions.first?.reason == "older than maxLifetime (28800s)")
    }

    @Test("Busy runners keep their hosts")
    func busy() {
        #expect(plan([host("rs-linux-1-1", age: 3000)], [GitHubRunner(id: 1, name: "rs-linux-1-1", status: "online", busy: true)]).isEmpty)
    }

    @Test("An online runner idle past boot is surplus (its job ended or ran elsewhere)")
    func idleSurplus() {
        let actions = plan([host("rs-linux-1-1", age: 700)], [GitHubRunner(id: 1, name: "rs-linux-1-1", status: "online")])
        #expect(actions.map(\.kind) == ["terminate"])
    }

    @Test("Offline runners of ours with no host are deleted; others' runners are left alone")
    func orphanRunners() {
        let actions = plan([], [GitHubRunner(id: 1, name: "rs-linux-7-1", status: "offline"),
                                GitHubRunner(id: 2, name: "rs-linux-8-1", status: "online"),
                                GitHubRunner(id: 3, name: "build-box", status: "offline")])
        #expect(actions.map(\.kind) == ["delete-runner"])
        if case let .deleteRunner(runner, _, _) = actions.first { #expect(runner.id == 1) }
    }

    @Test("minIdle launches warm runners up to the cap, counting booting hosts as idle")
    func minIdle() {
        var warm = pool
        warm.minIdle = 3
        #expect(plan([host("rs-linux-5-0", age: 30)], [], pool: warm) == [.launchWarm(count: 2, reason: "keep minIdle 3 (idle now: 1)")])
        warm.maxRunners = 2
        #expect(plan([host("rs-linux-5-0", age: 30)], [], pool: warm) == [.launchWarm(count: 1, reason: "keep minIdle 3 (idle now: 1)")])
    }

    @Test("Warm runners kept for minIdle are not reaped as idle")
    func warmKept() {
        var warm = pool
        warm.minIdle = 1
        let actions = plan([host("rs-linux-5-0", age: 900), host("rs-linux-6-0", age: 800)],
                           [GitHubRunner(id: 5, name: "rs-linux-5-0", status: "online"), GitHubRunner(id: 6, name: "rs-linux-6-0", status: "online")],
                           pool: warm)
        #expect(actions.map(\.kind) == ["terminate"])
        if case let .terminate(h, _) = actions.first { #expect(h.runnerName == "rs-linux-5-0") }
    }
}

@Suite("Redelivery planning")
struct RedeliveryPlannerTests {
    func d(_ id: Int64, _ guid: String, _ code: Int, event: String = "workflow_job", at: String) -> HookDelivery {
        HookDelivery(id: id, guid: guid, deliveredAt: at, statusCode: code, event: event, action: "queued")
    }

    @Test("Only workflow_job deliveries whose latest attempt failed are redelivered, once each")
    func plan() {
        let deliveries = [
            d(1, "a", 502, at: "2026-11-22T10:00:00Z"), d(2, "a", 200, at: "2026-11-22T10:01:00Z"),  // recovered
            d(3, "b", 503, at: "2026-11-22T10:00:00Z"), d(4, "b", 500, at: "2026-11-22T10:02:00Z"),  // still failing
            d(5, "c", 0, at: "2026-11-22T10:03:00Z"),  // timed out
            d(6, "d", 500, event: "ping", at: "2026-11-22T10:03:00Z"),
            d(7, "e", 202, at: "2026-11-22T10:03:00Z"),
        ]
        #expect(RedeliveryPlanner.plan(deliveries).map(\.id) == [4, 5])
    }
}

@Suite("The sweeper against in-memory GitHub and provider")
struct SweeperTests {
    let org = RunnerTarget.organization("octo-org")

    func setup(minIdle: Int = 0, now: Date) -> (Sweeper, InMemoryGitHub, InMemoryProvider) {
        var pool = Fixtures.pool("linux", labels: ["self-hosted", "linux"], maxRunners: 5)
        pool.minIdle = minIdle
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        let scaler = Scaler(config: ScalerConfig(pools: [pool]), github: github, now: { now }) { _ in provider }
        return (Sweeper(scaler: scaler, github: github, deliveries: github, now: { now }), github, provider)
    }

    @Test("A completed that arrived before its queued leaves no host after the next sweep")
    func reordered() async throws {
        let later = Date().addingTimeInterval(3600)
        let (sweeper, github, provider) = setup(now: later)
        let scaler = sweeper.scaler
        let job = Fixtures.job(id: 42)
        // completed first: nothing to terminate yet
        #expect(try await scaler.execute(.terminate(pool: "linux", runnerName: "rs-linux-42-1", job: job)).result == .nothingToDo)
        // then the late queued launches a host whose job is already over
        #expect(try await scaler.execute(.launch(pool: "linux", job: job)).result == .launched)
        #expect(provider.live.count == 1)
        let report = await sweeper.sweep()
        #expect(report.terminated == 1)
        #expect(provider.live.isEmpty)
        #expect(github.all(org).isEmpty)
    }

    @Test("--dry-run prints the plan and changes nothing")
    func dryRun() async throws {
        let (sweeper, _, provider) = setup(now: Date().addingTimeInterval(3600))
        provider.seed(RunnerHost(id: "i-1", runnerName: "rs-linux-1-1", pool: "linux", state: .running, launchedAt: Date()))
        let report = await sweeper.sweep(dryRun: true)
        #expect(report.lines.contains { $0.hasPrefix("would linux: terminate rs-linux-1-1") })
        #expect(provider.live.count == 1)
        #expect(report.terminated == 0)
    }

    @Test("Failed workflow_job deliveries are redelivered once per sweep")
    func redelivery() async throws {
        let now = Date()
        let (sweeper, github, _) = setup(now: now)
        let stamp = ISO8601DateFormatter().string(from: now.addingTimeInterval(-60))
        let old = ISO8601DateFormatter().string(from: now.addingTimeInterval(-7200))
        github.deliveries = [
            HookDelivery(id: 10, guid: "g1", deliveredAt: stamp, statusCode: 503, event: "workflow_job", action: "queued"),
            HookDelivery(id: 11, guid: "g2", deliveredAt: stamp, statusCode: 200, event: "workflow_job", action: "queued"),
            HookDelivery(id: 12, guid: "g3", deliveredAt: old, statusCode: 500, event: "workflow_job", action: "queued"),
        ]
        let report = await sweeper.sweep()
        #expect(report.redelivered == 1)
        #expect(github.redelivered == [10])
    }

    @Test("A failed queued whose job has since finished is not redelivered")
    func redeliverOnlyWhatIsNeeded() async throws {
        let now = Date()
        let (sweeper, github, _) = setup(now: now)
        let stamp = ISO8601DateFormatter().string(from: now.addingTimeInterval(-60))
        github.deliveries = [
            HookDelivery(id: 20, guid: "done", deliveredAt: stamp, statusCode: 502, event: "workflow_job", action: "queued"),
            HookDelivery(id: 21, guid: "waiting", deliveredAt: stamp, statusCode: 502, event: "workflow_job", action: "queued"),
            HookDelivery(id: 22, guid: "gone", deliveredAt: stamp, statusCode: 502, event: "workflow_job", action: "queued"),
        ]
        github.payloads = [20: Fixtures.workflowJobBody(action: "queued", id: 1), 21: Fixtures.workflowJobBody(action: "queued", id: 2)]
        github.jobStatuses = [1: "completed", 2: "queued"]
        let report = await sweeper.sweep()
        #expect(github.redelivered == [21, 22])
        #expect(report.lines.contains("skip redelivery of done: job 1 is completed"))
    }

    @Test("minIdle launches warm runners with run attempt 0 in the pool's single org")
    func warm() async throws {
        let (sweeper, github, provider) = setup(minIdle: 2, now: Date())
        let report = await sweeper.sweep()
        #expect(report.warmLaunched == 2)
        #expect(provider.live.allSatisfy { $0.runnerName.hasSuffix("-0") })
        #expect(github.all(org).count == 2)
        #expect(await sweeper.sweep().warmLaunched == 0)
    }

    @Test("A runner that turned busy between plan and action keeps its host")
    func busyRecheck() async throws {
        let (sweeper, github, provider) = setup(now: Date().addingTimeInterval(3600))
        provider.seed(RunnerHost(id: "i-1", runnerName: "rs-linux-1-1", pool: "linux", state: .running, launchedAt: Date()))
        github.seed(GitHubRunner(id: 1, name: "rs-linux-1-1", status: "online", busy: false), in: org)
        let (actions, listedIn) = try await sweeper.plan(sweeper.scaler.config.pools[0], deadline: .none)
        #expect(actions.map(\.kind) == ["terminate"])
        github.set("rs-linux-1-1", in: org, status: "online", busy: true)
        #expect(listedIn["rs-linux-1-1"] == org)
        let report = await sweeper.sweep()
        #expect(report.terminated == 0)
        #expect(provider.live.count == 1)
    }
}
