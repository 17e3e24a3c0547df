import Benchmark
import BenchSupport
import Foundation
import Logging
import RunnerScaler

#if canImport(Glibc)
import Glibc
#endif

// What each benchmark measures, and why it is shaped so, is in ../../../BENCHMARKS.md.
//
// Every benchmark records three figures per iteration: wall time and allocations (the
// framework's, allocations through its malloc interposer) and process CPU time from
// CLOCK_PROCESS_CPUTIME_ID (the framework's own CPU metrics on Linux tick at 10 ms).
// The operation's inputs are built outside the measured region.

/// Process CPU time of one iteration, in nanoseconds.
let cpuTime = BenchmarkMetric.custom("CPU time (ns)", polarity: .prefersSmaller, useScalingFactor: true)
/// External HTTP calls one handled delivery made (canned answers, no network).
let externalCalls = BenchmarkMetric.custom("external calls", polarity: .prefersSmaller, useScalingFactor: false)

let metrics: [BenchmarkMetric] = [.wallClock, cpuTime, .mallocCountTotal]

/// BENCH_SMOKE=1 (scripts/bench-smoke): a few iterations each, to prove the code still builds
/// and runs; no figure from such a run means anything.
let smoke = ProcessInfo.processInfo.environment["BENCH_SMOKE"] != nil

func configuration(
    maxDuration: Duration = .seconds(3), maxIterations: Int = 10_000, warmup: Int = 10,
    extraMetrics: [BenchmarkMetric] = []
) -> Benchmark.Configuration {
    .init(
        metrics: metrics + extraMetrics,
        timeUnits: .microseconds,
        units: [cpuTime: .count, externalCalls: .count],
        warmupIterations: smoke ? 1 : warmup,
        maxDuration: smoke ? .seconds(1) : maxDuration,
        maxIterations: smoke ? 3 : maxIterations
    )
}

/// The decide step needs a config; the one pool the payloads match.
let routingConfig = ScalerConfig(runnerNamePrefix: "rs", pools: [
    PoolConfig(name: "linux-x64", labels: ["self-hosted", "linux", "x64"], maxRunners: 100, allowOwners: ["octo-org"]),
])

let benchmarks: @Sendable () -> Void = {
    let secret = Secret(BenchEnvironment.webhookSecret)
    let verifier = SignatureVerifier(secret: secret)

    // MARK: verify + decode + decide

    for (label, size, iterations) in [("1 KB", 1024, 10_000), ("25 KB", 25 * 1024, 10_000), ("1 MB", 1024 * 1024, 300)] {
        let body = WorkflowJobPayload.body(.init(targetBytes: size))
        let request = SignedDelivery.request(body: body, secret: secret)
        Benchmark("core: verify+decode+decide \(label) queued (\(body.count) B)",
                  configuration: configuration(maxDuration: .seconds(size > 100_000 ? 5 : 3), maxIterations: iterations)) { benchmark in
            let start = CPUClock.processNanoseconds()
            do {
                try verifier.verify(request)
                let delivery = try DeliveryDecoder.decode(request)
                let decision = Router.decide(delivery, config: routingConfig)
                guard case .launch = decision else { fatalError("expected a launch, got \(decision)") }
                blackHole(decision)
            } catch {
                fatalError("\(error)")
            }
            benchmark.measurement(cpuTime, CPUClock.processNanoseconds() - start)
        }
    }

    // MARK: App JWT

    Benchmark("github: App JWT sign (RS256, 2048-bit)",
              configuration: configuration(maxIterations: 2_000)) { benchmark, jwt in
        let start = CPUClock.processNanoseconds()
        blackHole(jwt.token(now: Date(timeIntervalSince1970: 1_795_000_000)))
        benchmark.measurement(cpuTime, CPUClock.processNanoseconds() - start)
    } setup: {
        AppJWT(identity: .appID(123456), key: try RSAPrivateKey(Secret(try TestKey.pem())))
    }

    // MARK: SigV4

    let signer = SigV4Signer(
        credentials: SigV4Credentials(accessKeyID: "ASIAEXAMPLEEXAMPLE01",
                                      secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                      sessionToken: Secret(String(repeating: "IQoJb3JpZ2luX2VjEJr", count: 40))),
        region: "us-east-1", service: "ec2")
    let pool = PoolConfig(name: "linux-x64", labels: ["self-hosted", "linux", "x64"], allowOwners: ["octo-org"])
    let jit = JITConfig(runner: GitHubRunner(id: 23, name: "rs-linux-x64-29778245101-1"),
                        encodedConfig: Secret(String(repeating: "eyJydW5uZXIiOnsibmFtZSI6InJzIiwiaWQiOjQyfX0", count: 64)))
    let userData = UserDataTemplate.builtIn.render(runnerName: "rs-linux-x64-29778245101-1", pool: pool, registration: .jit(jit))
    let runInstances = EC2RunInstancesRequest(
        imageId: "ami-03cf127a", instanceType: "t3.micro", subnetId: "subnet-97eae933bc5eebba7",
        securityGroupIds: ["sg-f0c9f392b376585bb"], clientToken: "rs-linux-x64-29778245101-1-5b2f0c",
        userData: userData, instanceInitiatedShutdownBehavior: .terminate,
        metadataOptions: .init(httpTokens: "required", httpPutResponseHopLimit: 1),
        tagSpecifications: [EC2TagSpecification(resourceType: "instance", tags: [
            EC2Tag(key: "Name", value: "rs-linux-x64-29778245101-1"),
            EC2Tag(key: "runner-scaler:managed-by", value: "rs"),
            EC2Tag(key: "runner-scaler:pool", value: "linux-x64"),
            EC2Tag(key: "runner-scaler:runner-name", value: "rs-linux-x64-29778245101-1"),
            EC2Tag(key: "runner-scaler:job-id", value: "29778245101"),
        ])])
    let signingDate = Date(timeIntervalSince1970: 1_795_000_000)

    Benchmark("aws: SigV4 sign RunInstances (serialise + sign, \(runInstances.formBody.utf8.count) B body)",
              configuration: configuration(maxIterations: 10_000)) { benchmark in
        let start = CPUClock.processNanoseconds()
        let request = runInstances.awsRequest(host: "ec2.us-east-1.amazonaws.com")
        blackHole(signer.sign(request, at: signingDate))
        benchmark.measurement(cpuTime, CPUClock.processNanoseconds() - start)
    }

    // MARK: user data

    Benchmark("scaling: user-data render (built-in template, JIT)",
              configuration: configuration(maxIterations: 10_000)) { benchmark in
        let start = CPUClock.processNanoseconds()
        blackHole(UserDataTemplate.builtIn.render(runnerName: "rs-linux-x64-29778245101-1", pool: pool, registration: .jit(jit)))
        benchmark.measurement(cpuTime, CPUClock.processNanoseconds() - start)
    }

    // MARK: the whole handler, network excluded

    // WebhookHandler.handle for a 25 KB queued delivery, assembled by ScalerRuntime.start
    // exactly as `lambda` and `serve` assemble it (EC2 pool, GitHub App, JSON logs at info),
    // over an in-process HTTP client that answers at once. Warm token cache after warm-up.
    let handlerBody = WorkflowJobPayload.body(.init(targetBytes: 25 * 1024))
    let handlerRequest = SignedDelivery.request(body: handlerBody, secret: secret)
    Benchmark("handler: queued 25 KB, EC2 pool, canned GitHub+EC2 (no network)",
              configuration: configuration(maxIterations: 5_000, warmup: 5, extraMetrics: [externalCalls])) { (benchmark: Benchmark, fixture: HandlerFixture) async in
        let (runtime, http) = (fixture.runtime, fixture.http)
        let before = http.total
        let start = CPUClock.processNanoseconds()
        let handled = await runtime.handler.handle(handlerRequest)
        let cpu = CPUClock.processNanoseconds() - start
        guard handled.response.status == 200, handled.report?.result == .launched else {
            fatalError("handler did not launch: \(handled.response.status) \(handled.response.body)")
        }
        benchmark.measurement(cpuTime, cpu)
        benchmark.measurement(externalCalls, http.total - before)
    } setup: {
        try await HandlerFixture.make()
    }
}

struct HandlerFixture {
    let runtime: ScalerRuntime
    let http: CannedHTTPClient

    static func make() async throws -> HandlerFixture {
        let http = CannedHTTPClient()
        let devNull = open("/dev/null", O_WRONLY)
        let logger = Logger(label: "runner-scaler") { label in
            JSONLogHandler.standardOutput(label: label, level: .info, fileDescriptor: devNull)
        }
        let runtime = try await ScalerRuntime.start(
            environment: BenchEnvironment.ec2(privateKeyPEM: try TestKey.pem()), dryRun: false, logger: logger, http: http)
        return HandlerFixture(runtime: runtime, http: http)
    }
}
