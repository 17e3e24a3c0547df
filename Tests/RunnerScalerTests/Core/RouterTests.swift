import Testing
@testable import RunnerScaler

@Suite("Routing a delivery to a scaling decision")
struct RouterTests {
    let config = ScalerConfig(pools: [
        Fixtures.pool("linux", labels: ["self-hosted", "Linux", "x64"]),
        Fixtures.pool("gpu", labels: ["self-hosted", "linux", "x64", "gpu"], owners: [], repositories: ["octo-org/ml"]),
    ])

    func decide(_ action: String, labels: [String] = ["self-hosted", "linux", "x64"], repository: String = "octo-org/octo-repo",
                runner: String? = nil, conclusion: String? = nil) throws -> ScalingDecision {
        let body = Fixtures.workflowJobBody(action: action, labels: labels, repository: repository, runner: runner, conclusion: conclusion)
        let delivery = try DeliveryDecoder.decode(WebhookRequest(headers: ["X-GitHub-Event": "workflow_job"], body: body))
        return Router.decide(delivery, config: config)
    }

    @Test("queued becomes launch in the first pool that serves every label")
    func queuedLaunches() throws {
        #expect(try decide("queued") == .launch(pool: "linux", job: Fixtures.job()))
    }

    @Test("Labels compare case-insensitively")
    func caseInsensitiveLabels() throws {
        #expect(try decide("queued", labels: ["SELF-HOSTED", "linux"]).pool == "linux")
    }

    @Test("A label no pool has means no pool matches")
    func extraLabel() throws {
        #expect(try decide("queued", labels: ["self-hosted", "linux", "arm64"])
            == .ignore(reason: "no pool serves all of the job labels [self-hosted, linux, arm64]"))
    }

    @Test("Jobs without self-hosted are ignored while every pool requires it")
    func notSelfHosted() throws {
        #expect(try decide("queued", labels: ["linux"]) == .ignore(reason: "job labels [linux] do not include self-hosted"))
    }

    @Test("A pool that does not require self-hosted serves jobs without it")
    func optOutOfSelfHosted() {
        let config = ScalerConfig(pools: [Fixtures.pool("hosted-like", labels: ["ubuntu-latest"], requireSelfHosted: false)])
        let job = Fixtures.job(labels: ["ubuntu-latest"])
        #expect(Router.selectPool(for: job, in: config) == .success(config.pools[0]))
    }

    @Test("A matching pool whose allowlist excludes the repository ignores the job with its reason")
    func allowlist() throws {
        #expect(try decide("queued", repository: "evil/fork")
            == .ignore(reason: "repository evil/fork is not in the allowlist of pools linux, gpu"))
        // The gpu pool allows one repository only; the linux pool does not serve gpu.
        #expect(try decide("queued", labels: ["self-hosted", "gpu"], repository: "octo-org/other")
            == .ignore(reason: "repository octo-org/other is not in the allowlist of pool gpu"))
        #expect(try decide("queued", labels: ["self-hosted", "gpu"], repository: "Octo-Org/ML").pool == "gpu")
    }

    @Test("waiting and in_progress are acknowledged with no action")
    func noAction() throws {
        #expect(try decide("waiting") == .ignore(reason: "waiting needs no action"))
        #expect(try decide("in_progress", runner: "rs-linux-1001-1") == .ignore(reason: "in_progress needs no action"))
    }

    @Test("completed on one of our runners terminates it, whatever the conclusion",
          arguments: ["success", "failure", "cancelled", "timed_out", "neutral", "action_required"])
    func completedTerminates(conclusion: String) throws {
        let decision = try decide("completed", runner: "rs-linux-1001-1", conclusion: conclusion)
        guard case let .terminate(pool, runner, job) = decision else { Issue.record("\(decision)"); return }
        #expect(pool == "linux")
        #expect(runner == "rs-linux-1001-1")
        #expect(job.conclusion == conclusion)
    }

    @Test("completed with an empty or missing runner name reaps an idle runner", arguments: [nil, ""] as [String?])
    func cancelledBeforePickup(runner: String?) throws {
        for conclusion in ["cancelled", "skipped"] {
            let decision = try decide("completed", runner: runner, conclusion: conclusion)
            #expect(decision.kind == "reap-idle")
            #expect(decision.pool == "linux")
        }
    }

    @Test("completed on a runner we did not launch is ignored")
    func foreignRunner() throws {
        #expect(try decide("completed", runner: "someone-else-7", conclusion: "success")
            == .ignore(reason: "runner someone-else-7 was not launched by runner-scaler for pool linux"))
    }

    @Test("ping and other events are ignored with their reason")
    func otherEvents() {
        #expect(Router.decide(.ping(PingEvent()), config: config) == .ignore(reason: "ping acknowledged"))
        #expect(Router.decide(.other(event: "push", action: nil), config: config) == .ignore(reason: "event push is not handled"))
    }

    @Test("Runner names are deterministic per job and attempt and fit a DNS label")
    func naming() {
        let name = RunnerNaming.runnerName(prefix: "rs", pool: "linux-x64", job: Fixtures.job(id: 9_223_372_036_854_775_807, attempt: 99))
        #expect(name == "rs-linux-x64-9223372036854775807-99")
        #expect(name.count <= 63)
        #expect(RunnerNaming.belongs(name, toPool: "linux-x64", prefix: "rs"))
        #expect(!RunnerNaming.belongs(name, toPool: "linux", prefix: "rs"))
        #expect(!RunnerNaming.belongs("rs-linux-x64-1-1", toPool: "linux", prefix: "rs"))
        #expect(!RunnerNaming.belongs("rs-linux-1", toPool: "linux", prefix: "rs"))
        #expect(!RunnerNaming.belongs("rs-linux-1-", toPool: "linux", prefix: "rs"))
    }
}

@Suite("Routing every conformance payload example")
struct ConformancePayloadRoutingTests {
    // The examples use ubuntu-latest (GitHub-hosted) and [self-hosted, k8s] for lineville's repository.
    let config = ScalerConfig(pools: [
        Fixtures.pool("k8s", labels: ["self-hosted", "k8s"], owners: ["lineville"]),
        Fixtures.pool("linux", labels: ["self-hosted", "linux"]),
    ])

    static let expected: [(file: String, event: String, decision: String)] = [
        ("workflow_job/queued.payload.json", "workflow_job", "ignore:job labels [ubuntu-latest] do not include self-hosted"),
        ("workflow_job/queued.with-deployment.payload.json", "workflow_job", "launch:k8s:1"),
        ("workflow_job/waiting.payload.json", "workflow_job", "ignore:waiting needs no action"),
        ("workflow_job/in_progress.payload.json", "workflow_job", "ignore:in_progress needs no action"),
        ("workflow_job/in_progress.with-queued-steps.payload.json", "workflow_job", "ignore:in_progress needs no action"),
        ("workflow_job/completed.success.with-organization.payload.json", "workflow_job",
         "ignore:job labels [ubuntu-latest] do not include self-hosted"),
        ("workflow_job/completed.failure.with-organization.payload.json", "workflow_job",
         "ignore:job labels [ubuntu-latest] do not include self-hosted"),
        ("ping/payload.json", "ping", "ignore:ping acknowledged"),
        ("ping/with-app_id.payload.json", "ping", "ignore:ping acknowledged"),
        ("ping/with-organization.payload.json", "ping", "ignore:ping acknowledged"),
        ("push/payload.json", "push", "ignore:event push is not handled"),
        ("push/with-installation.payload.json", "push", "ignore:event push is not handled"),
        ("push/with-new-branch.payload.json", "push", "ignore:event push is not handled"),
        ("workflow_run/requested.payload.json", "workflow_run", "ignore:event workflow_run is not handled"),
        ("workflow_run/completed.payload.json", "workflow_run", "ignore:event workflow_run is not handled"),
    ]

    @Test("The table covers every payload example in the conformance folder")
    func tableIsComplete() throws {
        var all: [String] = []
        for dir in ["workflow_job", "ping", "push", "workflow_run"] {
            all += try Conformance.files(in: "github/webhooks/payload-examples/\(dir)")
                .map { String($0.dropFirst("github/webhooks/payload-examples/".count)) }
        }
        #expect(Set(all) == Set(Self.expected.map(\.file)))
    }

    @Test("Each example routes to its expected decision", arguments: 0..<ConformancePayloadRoutingTests.expected.count)
    func routes(index: Int) throws {
        let (file, event, expected) = Self.expected[index]
        let body = try Conformance.data("github/webhooks/payload-examples/\(file)")
        let delivery = try DeliveryDecoder.decode(WebhookRequest(headers: ["X-GitHub-Event": event], body: Array(body)))
        let decision = Router.decide(delivery, config: config)
        let rendered: String = switch decision {
        case let .ignore(reason): "ignore:\(reason)"
        case let .launch(pool, job): "launch:\(pool):\(job.runAttempt)"
        case let .terminate(pool, runner, _): "terminate:\(pool):\(runner)"
        case let .reapIdle(pool, _): "reap:\(pool)"
        }
        #expect(rendered == expected, "\(file)")
    }

    @Test("Every workflow_job action and conclusion that GitHub sends has a decision", arguments: [
        ("queued", nil, nil, "launch"), ("waiting", nil, nil, "ignore"), ("in_progress", "rs-linux-5-1", nil, "ignore"),
        ("completed", "rs-linux-5-1", "success", "terminate"), ("completed", "rs-linux-5-1", "failure", "terminate"),
        ("completed", "rs-linux-5-1", "cancelled", "terminate"), ("completed", nil, "cancelled", "reap-idle"),
        ("completed", "", "skipped", "reap-idle"), ("completed", "rs-linux-5-1", "timed_out", "terminate"),
    ] as [(String, String?, String?, String)])
    func actions(action: String, runner: String?, conclusion: String?, kind: String) throws {
        let body = Fixtures.workflowJobBody(action: action, id: 5, labels: ["self-hosted", "linux"], runner: runner, conclusion: conclusion)
        let delivery = try DeliveryDecoder.decode(WebhookRequest(headers: ["X-GitHub-Event": "workflow_job"], body: body))
        #expect(Router.decide(delivery, config: config).kind == kind)
    }
}
