import BenchSupport
import Foundation
import Logging
import RunnerScaler

#if canImport(Glibc)
import Glibc
#endif

// Runs one benchmark scenario N times with no benchmark framework around it, for profiling:
//
//   valgrind --tool=callgrind --toggle-collect='*runScenario*' \
//     .build/release/bench-profile handler 200
//
// and prints the mean process CPU time per iteration. Same inputs as ScalerBenchmarks.

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bench-profile core-1k|core-25k|core-1m|jwt|sigv4|userdata|handler|hmac-small|sha-small|hmac-25k [iterations]\n".utf8))
    exit(2)
}
let scenario = arguments[1]
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100

let secret = Secret(BenchEnvironment.webhookSecret)
let config = ScalerConfig(runnerNamePrefix: "rs", pools: [
    PoolConfig(name: "linux-x64", labels: ["self-hosted", "linux", "x64"], maxRunners: 100, allowOwners: ["octo-org"]),
])
let pool = config.pools[0]
let jit = JITConfig(runner: GitHubRunner(id: 23, name: "rs-linux-x64-29778245101-1"),
                    encodedConfig: Secret(String(repeating: "eyJydW5uZXIiOnsibmFtZSI6InJzIiwiaWQiOjQyfX0", count: 64)))

func core(_ size: Int) -> () async -> Void {
    let verifier = SignatureVerifier(secret: secret)
    let request = SignedDelivery.request(body: WorkflowJobPayload.body(.init(targetBytes: size)), secret: secret)
    return {
        try! verifier.verify(request)
        let delivery = try! DeliveryDecoder.decode(request)
        precondition(Router.decide(delivery, config: config).kind == "launch")
    }
}

func makeScenario() async throws -> () async -> Void {
    switch scenario {
    case "core-1k": return core(1024)
    case "core-25k": return core(25 * 1024)
    case "core-1m": return core(1024 * 1024)
    case "jwt":
        let jwt = AppJWT(identity: .appID(123456), key: try RSAPrivateKey(Secret(try TestKey.pem())))
        return { _ = jwt.token(now: Date(timeIntervalSince1970: 1_795_000_000)) }
    case "sigv4":
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyID: "ASIAEXAMPLEEXAMPLE01",
                                                               secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")),
                                 region: "us-east-1", service: "ec2")
        let userData = UserDataTemplate.builtIn.render(runnerName: "rs-linux-x64-29778245101-1", pool: pool, registration: .jit(jit))
        let request = EC2RunInstancesRequest(imageId: "ami-03cf127a", instanceType: "t3.micro",
                                             clientToken: "rs-linux-x64-29778245101-1", userData: userData)
        return { _ = signer.sign(request.awsRequest(host: "ec2.us-east-1.amazonaws.com"), at: Date(timeIntervalSince1970: 1_795_000_000)) }
    case "hmac-small":
        let key = Array(repeating: UInt8(7), count: 32), message = Array("20261122".utf8)
        return { _ = HMAC.sha256(key: key, message: message) }
    case "sha-small":
        let message = Array(repeating: UInt8(7), count: 64)
        return { _ = SHA256.hash(message) }
    case "hmac-25k":
        let key = Array(repeating: UInt8(7), count: 32), message = WorkflowJobPayload.body(.init(targetBytes: 25 * 1024))
        return { _ = HMAC.sha256(key: key, message: message) }
    case "userdata":
        return { _ = UserDataTemplate.builtIn.render(runnerName: "rs-linux-x64-29778245101-1", pool: pool, registration: .jit(jit)) }
    case "handler":
        let http = CannedHTTPClient()
        let devNull = open("/dev/null", O_WRONLY)
        let logger = Logger(label: "runner-scaler") { JSONLogHandler.standardOutput(label: $0, level: .info, fileDescriptor: devNull) }
        let runtime = try await ScalerRuntime.start(environment: BenchEnvironment.ec2(privateKeyPEM: try TestKey.pem()),
                                                    dryRun: false, logger: logger, http: http)
        let request = SignedDelivery.request(body: WorkflowJobPayload.body(.init(targetBytes: 25 * 1024)), secret: secret)
        return {
            let handled = await runtime.handler.handle(request)
            precondition(handled.report?.result == .launched, "\(handled.response)")
        }
    default:
        FileHandle.standardError.write(Data("bench-profile: unknown scenario \(scenario)\n".utf8))
        exit(2)
    }
}

/// The measured loop; callgrind's --toggle-collect names this function.
@inline(never)
func runScenario(_ body: () async -> Void, _ count: Int) async {
    for _ in 0..<count { await body() }
}

// A synchronous main that waits on a semaphore: valgrind 3.19 crashes in the signal-waiting
// thread that an async top-level main (dispatch_main) leaves behind.
final class Box: @unchecked Sendable { var line = "" }
let box = Box()
let done = DispatchSemaphore(value: 0)
Task.detached {
    let body = try await makeScenario()
    await body() // warm-up: token cache, lazy statics
    let start = CPUClock.processNanoseconds()
    let wall = ContinuousClock.now
    await runScenario(body, iterations)
    let cpu = CPUClock.processNanoseconds() - start
    let elapsed = ContinuousClock.now - wall
    box.line = "\(scenario): \(iterations) iterations, mean CPU \(cpu / iterations / 1000) µs, "
        + "mean wall \((elapsed / iterations).formatted(.units(allowed: [.microseconds])))"
    done.signal()
}
done.wait()
print(box.line)
