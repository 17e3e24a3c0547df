import Foundation
import Logging
import Testing
@testable import RunnerScaler

/// Drives the real handler, scaler and sweeper through a bounded burst with faults injected,
/// plays GitHub's part for the delivery log (recording each delivery's status, resending what
/// the sweeper asks to redeliver), and checks that no job is left without a host and no host
/// is left running.
final class FaultInjectionHarness: @unchecked Sendable {
    struct Counts: CustomStringConvertible {
        var jobs = 0, deliveries = 0, hostsLaunched = 0, duplicatesSuppressed = 0, retries = 0, redeliveries = 0
        var failedDeliveries = 0, orphansAtEnd = 0, restarts = 0
        var description: String {
            "jobs \(jobs), deliveries \(deliveries), hosts launched \(hostsLaunched), duplicates suppressed \(duplicatesSuppressed), "
                + "retries \(retries), failed deliveries \(failedDeliveries), redeliveries \(redeliveries), restarts \(restarts), orphans at end \(orphansAtEnd)"
        }
    }

    let github: FakeGitHub
    let secret = Secret("fault-injection-secret")
    let pool: String
    /// The deployment's `runnerNamePrefix`: completed deliveries name the runner as GitHub
    /// would, `<prefix>-<pool>-<job>-<attempt>`.
    let prefix: String
    let jobCount: Int
    private let lock = NSLock()
    private var counts = Counts()
    private var sent: [Int64: WebhookRequest] = [:]
    private var nextDeliveryID: Int64 = 1_000_000
    private var handled = Set<Int64>()
    /// Jobs whose queued delivery got a host, and jobs whose completed arrived before that.
    private var running = Set<Int64>()
    private var completedEarly = Set<Int64>()

    /// Deliveries in flight at once within a wave.
    let concurrency: Int

    init(github: FakeGitHub, pool: String, prefix: String = ScalerConfig.defaultRunnerNamePrefix, jobs: Int, concurrency: Int = 8) {
        self.github = github
        self.pool = pool
        self.prefix = prefix
        self.jobCount = jobs
        self.concurrency = concurrency
    }

    func request(_ action: String, job: Int64, runner: String? = nil, guid: String) -> WebhookRequest {
        let body = Fixtures.workflowJobBody(action: action, id: job, labels: ["self-hosted", "linux"], runner: runner,
                                            conclusion: action == "completed" ? "success" : nil)
        return Fixtures.signedRequest(event: "workflow_job", body: body, secret: secret, delivery: guid)
    }

    /// One delivery as GitHub makes it: sent to the handler, its status written to the log.
    func deliver(_ request: WebhookRequest, through handler: WebhookHandler, resend: Bool = false) async throws {
        let handledDelivery = await handler.handle(request, deadline: .after(.seconds(9)))
        let status = handledDelivery.response.status
        let id: Int64 = lock.withLock {
            counts.deliveries += 1
            if status >= 300 { counts.failedDeliveries += 1 }
            if handledDelivery.report?.result == .alreadyRunning { counts.duplicatesSuppressed += 1 }
            nextDeliveryID += 1
            sent[nextDeliveryID] = request
            return nextDeliveryID
        }
        // GitHub's view of the job: it can only have run (and completed) once a queued
        // delivery for it got a host; until then it stays queued, and a failed queued is
        // worth redelivering.
        let payload = try JSONSerialization.jsonObject(with: Data(request.body)) as! [String: Any]
        let job = payload["workflow_job"] as! [String: Any]
        let jobID = (job["id"] as! NSNumber).int64Value
        let finished: Bool = lock.withLock {
            if handledDelivery.action == "queued", status < 300 { running.insert(jobID) }
            if handledDelivery.action == "completed" { completedEarly.insert(jobID) }
            return running.contains(jobID) && completedEarly.contains(jobID)
        }
        try await github.peer.control("POST", "/_control/jobs", json: [
            "repo": "octo-org/octo-repo", "id": jobID, "status": finished ? "completed" : "queued",
            "conclusion": finished ? "success" : NSNull(), "labels": job["labels"]!,
        ])
        try await github.peer.control("POST", "/_control/deliveries", json: [[
            "request": ["headers": ["X-GitHub-Event": "workflow_job"], "payload": payload],
            "id": id, "guid": request.deliveryID ?? "?", "status_code": status, "status": status < 300 ? "OK" : "failed",
            // A resend's record must sort after the attempt record the fake adds on redelivery.
            "event": "workflow_job", "action": handledDelivery.action ?? "",
            "delivered_at": ISO8601DateFormatter().string(from: Date().addingTimeInterval(resend ? 1 : 0)),
        ]])
    }

    /// The burst, in blocks of 8 jobs, each block in two concurrent waves: first the queued
    /// deliveries (every 5th job's twice: a duplicate arrives close to its original), then the
    /// completed ones — except every 7th job, whose completed comes in the first wave and its
    /// queued in the second (reordered). `restart` swaps in a freshly started handler half way.
    func burst(handler first: WebhookHandler, restart: () async throws -> WebhookHandler) async throws {
        var waves: [[WebhookRequest]] = []
        var block: [Int64] = []
        func flush() {
            var first: [WebhookRequest] = [], second: [WebhookRequest] = []
            for job in block {
                let i = Int(job - 50_000)
                let queued = request("queued", job: job, guid: "q-\(job)")
                let completed = request("completed", job: job, runner: "\(prefix)-\(pool)-\(job)-1", guid: "c-\(job)")
                if i % 7 == 0 { first.append(completed); second.append(queued) } else { first.append(queued); second.append(completed) }
                if i % 5 == 0 {
                    let duplicate = request("queued", job: job, guid: "q2-\(job)")
                    if i % 7 == 0 { second.append(duplicate) } else { first.append(duplicate) }
                }
            }
            waves += [first, second]
            block = []
        }
        for i in 0..<jobCount {
            block.append(Int64(50_000 + i))
            if block.count == 8 { flush() }
        }
        if !block.isEmpty { flush() }
        counts.jobs = jobCount
        var handler = first
        for (n, wave) in waves.enumerated() {
            if n == waves.count / 2 {
                handler = try await restart()
                counts.restarts += 1
            }
            let current = handler
            for start in stride(from: 0, to: wave.count, by: concurrency) {
                let slice = wave[start..<min(start + concurrency, wave.count)]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for request in slice { group.addTask { try await self.deliver(request, through: current) } }
                    try await group.waitForAll()
                }
            }
        }
    }

    /// Sweeps until no failed delivery is left to redeliver (bounded), resending each one the
    /// sweeper asked GitHub to redeliver, as GitHub would.
    func redeliveryRounds(sweeper: Sweeper, handler: WebhookHandler, rounds: Int = 5) async throws {
        for _ in 0..<rounds {
            let report = await sweeper.sweep()
            let ids = (try await github.peer.control("GET", "/_control/redeliveries") as! [String: Any])["delivery_ids"] as! [Int]
            let fresh: [WebhookRequest] = lock.withLock {
                ids.map(Int64.init).filter { handled.insert($0).inserted }.compactMap { sent[$0] }
            }
            lock.withLock { counts.redeliveries += fresh.count }
            if report.redelivered == 0 && fresh.isEmpty { return }
            for request in fresh { try await deliver(request, through: handler, resend: true) }
        }
    }

    func finish(retries: Int, hostsLaunched: Int, orphans: Int) -> Counts {
        lock.withLock {
            counts.retries = retries
            counts.hostsLaunched = hostsLaunched
            counts.orphansAtEnd = orphans
            return counts
        }
    }

    /// GitHub-side faults: 5xx bursts (some long enough to exhaust the retries, so deliveries
    /// fail and must be redelivered), 429 with Retry-After, and rate-limited 403s.
    func injectGitHubFaults() async throws {
        try await github.faults([
            ["method": "POST", "path": "generate-jitconfig$", "status": 503, "count": 14],
            ["method": "POST", "path": "generate-jitconfig$", "status": 502, "count": 6],
            ["method": "GET", "path": "/actions/runners$", "status": 500, "count": 6],
            ["method": "POST", "path": "generate-jitconfig$", "status": 429, "retry_after": 1, "count": 2],
            ["method": "GET", "path": "/actions/runners$", "status": 403, "ratelimit_reset_in": 1, "count": 2],
        ])
    }

    /// Requests the fake answered with an injected fault: each one is a retry (or a failure).
    func faultedRequests() async throws -> Int {
        try await github.peer.requests().filter { !($0["fault"] is NSNull) && $0["fault"] != nil }.count
    }
}

@Suite("Fault injection: a burst of 200 jobs with duplicates, reordering, GitHub faults and a restart", .serialized)
final class FaultInjectionTests {
    let github: FakeGitHub
    init() throws { github = try FakeGitHub() }
    deinit { github.stop() }

    /// The in-memory provider stands in for Metal and libvirt: the scenario is about the
    /// scaler and sweeper, which treat every provider alike.
    @Test("Every queued job gets exactly one host and no host is left, on the Metal and libvirt paths",
          arguments: ["metal", "libvirt"])
    func inMemoryProvider(kind: String) async throws {
        try await github.peer.control("POST", "/_control/reset")
        let provider = InMemoryProvider(kind: kind)
        var pool = Fixtures.pool(kind, labels: ["self-hosted", "linux"], maxRunners: 150)
        pool.bootTimeout = .seconds(600)
        let config = ScalerConfig(pools: [pool])
        let harness = FaultInjectionHarness(github: github, pool: kind, jobs: 200)
        func parts(now: @escaping @Sendable () -> Date = { Date() }) throws -> (WebhookHandler, Sweeper) {
            let client = try github.client(policy: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(20)))
            let scaler = Scaler(config: config, github: client, now: now) { _ in provider }
            return (WebhookHandler(verifier: SignatureVerifier(secret: harness.secret), scaler: scaler, logger: Logger(label: "fi")),
                    Sweeper(scaler: scaler, github: client, deliveries: client, now: now))
        }
        try await harness.injectGitHubFaults()
        let (handler, _) = try parts()
        var restarted: WebhookHandler?
        try await harness.burst(handler: handler) {
            let (h, _) = try parts()
            restarted = h
            return h
        }
        let (finalHandler, sweeper) = try parts()
        try await harness.redeliveryRounds(sweeper: sweeper, handler: restarted ?? finalHandler)
        // Later, past the boot timeout: hosts launched for jobs that had already completed go.
        let (_, laterSweeper) = try parts(now: { Date().addingTimeInterval(11 * 60) })
        _ = await laterSweeper.sweep()

        let launchesPerJob = Dictionary(grouping: provider.launched.compactMap { $0.job?.id }, by: { $0 }).mapValues(\.count)
        let counts = harness.finish(retries: try await harness.faultedRequests(), hostsLaunched: provider.launched.count,
                                    orphans: provider.live.count)
        print("fault-injection [\(kind)]: \(counts)")
        #expect(launchesPerJob.count == 200, "every queued job got a host")
        #expect(launchesPerJob.values.allSatisfy { $0 == 1 }, "no job got two hosts")
        #expect(provider.live.isEmpty, "orphans at end: \(provider.live.map(\.runnerName))")
        #expect(counts.duplicatesSuppressed > 0)
        #expect(counts.failedDeliveries > 0 && counts.redeliveries > 0, "the scenario exercised redelivery")
        let state = try await github.peer.state()
        #expect((state["spec_violations"] as? [Any])?.isEmpty == true)
    }

    /// The real thing end to end: `ScalerRuntime` from the environment, the EC2 provider on
    /// moto (signature checking on), the GitHub App client on the fake GitHub, and EC2 faults
    /// (InsufficientInstanceCapacity on the first instance type, RequestLimitExceeded)
    /// injected between the client and moto.
    @Test("Every queued job gets exactly one EC2 instance and none is left running")
    func ec2OnMoto() async throws {
        try await github.peer.control("POST", "/_control/reset")
        let moto = try await MotoServer.shared.value
        let prefix = "fi" + String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let subnets = Array(try await moto.defaultSubnets().prefix(2))
        let faults = AWSFaultInjectingHTTPClient { request, earlier in
            guard request.action == "RunInstances" else { return nil }
            if earlier % 9 == 4 { return AWSFaultInjectingHTTPClient.ec2Error("RequestLimitExceeded", status: 503) }
            if earlier % 7 == 2, request.parameter("InstanceType") == "t3.micro" {
                return AWSFaultInjectingHTTPClient.ec2Error("InsufficientInstanceCapacity", status: 500)
            }
            return nil
        }
        let yaml = """
            runnerNamePrefix: \(prefix)
            pools:
              - name: ec2
                labels: [self-hosted, linux]
                maxRunners: 150
                allow: {owners: [octo-org]}
                provider: ec2
                ec2: {imageId: ami-12c6146b, instanceTypes: [t3.micro, t3.small], subnetIds: [\(subnets.joined(separator: ", "))]}
            """
        // moto answers one call at a time and DescribeInstances grows with every instance it
        // holds, so fewer deliveries are in flight than in the in-memory variants.
        let harness = FaultInjectionHarness(github: github, pool: "ec2", prefix: prefix, jobs: 200, concurrency: 3)
        var env = moto.environment
        env["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey.exposedValue
        env["RUNNER_SCALER_CONFIG"] = yaml
        env["GITHUB_WEBHOOK_SECRET"] = harness.secret.exposedValue
        env["GITHUB_APP_ID"] = String(FakeGitHub.appID)
        env["GITHUB_APP_PRIVATE_KEY"] = Data(FakeGitHub.privateKeyPEM.utf8).base64EncodedString()
        env["GITHUB_API_URL"] = github.apiURL
        let environment = env
        func start(now: @escaping @Sendable () -> Date = { Date() }) async throws -> ScalerRuntime {
            try await ScalerRuntime.start(environment: environment, dryRun: false, logger: Logger(label: "fi-ec2"), http: faults, now: now)
        }
        try await harness.injectGitHubFaults()
        let first = try await start()
        var latest = first.handler
        try await harness.burst(handler: first.handler) {
            latest = try await start().handler
            return latest
        }
        try await harness.redeliveryRounds(sweeper: try await start().sweeper, handler: latest)
        _ = try await start(now: { Date().addingTimeInterval(11 * 60) }).sweeper.sweep()

        let instances = try await moto.ec2().describeInstances(
            EC2DescribeInstancesRequest(filters: [EC2Filter.tag(HostTags.managedBy, prefix)]), deadline: .after(.seconds(30)))
        let perJob = Dictionary(grouping: instances.compactMap { $0.tag(HostTags.jobID) }, by: { $0 }).mapValues(\.count)
        let live = instances.filter { $0.state?.isLive ?? true }
        let ec2Faults = faults.requests(action: "RunInstances").count - instances.count
        let counts = harness.finish(retries: try await harness.faultedRequests() + ec2Faults, hostsLaunched: instances.count,
                                    orphans: live.count)
        print("fault-injection [ec2 on moto]: \(counts)")
        #expect(perJob.count == 200, "every queued job got an instance")
        #expect(perJob.values.allSatisfy { $0 == 1 }, "no job got two instances")
        #expect(live.isEmpty, "orphans at end: \(live.map { $0.instanceId })")
        #expect(ec2Faults > 0, "EC2 faults were injected")
    }

    /// Issue 4's path through the real handler: signed queued → fake GitHub JIT → one instance
    /// in moto with every tag and the user data → a duplicate makes nothing → completed
    /// terminates exactly that instance.
    @Test("A queued delivery becomes one tagged EC2 instance on moto, a duplicate adds none, completed terminates it")
    func ec2EndToEnd() async throws {
        try await github.peer.control("POST", "/_control/reset")
        let moto = try await MotoServer.shared.value
        let prefix = "e2e" + String((0..<5).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let secret = Secret("e2e-secret")
        var env = moto.environment
        env["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey.exposedValue
        env["RUNNER_SCALER_CONFIG"] = """
            runnerNamePrefix: \(prefix)
            pools:
              - name: ec2
                labels: [self-hosted, linux]
                allow: {owners: [octo-org]}
                provider: ec2
                ec2: {imageId: ami-12c6146b, instanceTypes: [t3.micro]}
            """
        env["GITHUB_WEBHOOK_SECRET"] = secret.exposedValue
        env["GITHUB_APP_ID"] = String(FakeGitHub.appID)
        env["GITHUB_APP_PRIVATE_KEY"] = FakeGitHub.privateKeyPEM
        env["GITHUB_API_URL"] = github.apiURL
        let handler = try await ScalerRuntime.start(environment: env, logger: Logger(label: "e2e")).handler
        let job: Int64 = 777_001
        let runner = "\(prefix)-ec2-\(job)-1"
        func deliver(_ action: String, runner: String? = nil, guid: String) async -> Int {
            let body = Fixtures.workflowJobBody(action: action, id: job, labels: ["self-hosted", "linux"], runner: runner,
                                                conclusion: action == "completed" ? "success" : nil)
            return await handler.handle(Fixtures.signedRequest(event: "workflow_job", body: body, secret: secret, delivery: guid)).response.status
        }
        func ours() async throws -> [EC2Instance] {
            try await moto.ec2().describeInstances(EC2DescribeInstancesRequest(filters: [EC2Filter.tag(HostTags.managedBy, prefix)]),
                                                   deadline: .after(.seconds(30)))
        }
        #expect(await deliver("queued", guid: "e2e-1") == 200)
        let launched = try await ours()
        #expect(launched.count == 1)
        let instance = try #require(launched.first)
        #expect(instance.tag(HostTags.runnerName) == runner)
        #expect(instance.tag(HostTags.pool) == "ec2")
        #expect(instance.tag(HostTags.jobID) == String(job))
        #expect(instance.tag(HostTags.runID) == "5001")
        #expect(instance.tag(HostTags.repository) == "octo-org/octo-repo")
        #expect(instance.tag(HostTags.managedBy) == prefix)
        let attribute = try await moto.ec2Query("DescribeInstanceAttribute", ["InstanceId": instance.instanceId, "Attribute": "userData"])
        let encoded = try #require(attribute.child("userData")?.string("value"))
        let userData = String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self)
        #expect(userData.contains("RUNNER_NAME='\(runner)'"))
        #expect(userData.contains("RUNNER_MODE='jit'"))
        #expect(!userData.contains("ghs_"))
        #expect(try await github.count("POST", pathSuffix: "/generate-jitconfig") == 1)

        #expect(await deliver("queued", guid: "e2e-2") == 200)
        #expect(try await ours().count == 1)

        #expect(await deliver("completed", runner: runner, guid: "e2e-3") == 200)
        let after = try await ours()
        #expect(after.count == 1)
        #expect(after.first?.state?.isLive == false)
    }
}
