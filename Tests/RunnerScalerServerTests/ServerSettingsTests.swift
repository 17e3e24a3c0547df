import RunnerScaler
import Testing
@testable import RunnerScalerServer

@Suite("serve settings from flags and environment")
struct ServerSettingsTests {
    @Test("Defaults are loopback:8080, /webhook, 26 MiB, a rate limit and a 5-minute sweep")
    func defaults() throws {
        let settings = try ServerSettings(environment: [:])
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 8080)
        #expect(settings.webhookPath == "/webhook")
        #expect(settings.maxBodyBytes == 26 * 1024 * 1024)
        #expect(settings.rateLimit == .init(requestsPerSecond: 20, burst: 200))
        #expect(settings.tls == nil)
        #expect(settings.sweepInterval == .seconds(300))
    }

    @Test("Every variable is read")
    func variables() throws {
        let settings = try ServerSettings(environment: [
            "RUNNER_SCALER_HOST": "0.0.0.0", "RUNNER_SCALER_PORT": "9000", "RUNNER_SCALER_WEBHOOK_PATH": "/gh",
            "RUNNER_SCALER_MAX_BODY_BYTES": "4096", "RUNNER_SCALER_RATE_LIMIT": "5", "RUNNER_SCALER_RATE_LIMIT_BURST": "10",
            "RUNNER_SCALER_TRUST_FORWARDED_FOR": "true", "RUNNER_SCALER_TLS_CERT": "/c.pem", "RUNNER_SCALER_TLS_KEY": "/k.pem",
            "RUNNER_SCALER_SWEEP_INTERVAL": "0",
        ])
        #expect(settings.host == "0.0.0.0")
        #expect(settings.port == 9000)
        #expect(settings.webhookPath == "/gh")
        #expect(settings.maxBodyBytes == 4096)
        #expect(settings.rateLimit == .init(requestsPerSecond: 5, burst: 10))
        #expect(settings.trustForwardedFor)
        #expect(settings.tls == .init(certificatePath: "/c.pem", keyPath: "/k.pem"))
        #expect(settings.sweepInterval == nil)
        #expect(try ServerSettings(environment: ["RUNNER_SCALER_RATE_LIMIT": "0"]).rateLimit == nil)
    }

    @Test("Every bad value is reported at once, naming the flag and the variable")
    func problems() {
        do {
            _ = try ServerSettings(environment: [
                "RUNNER_SCALER_PORT": "70000", "RUNNER_SCALER_WEBHOOK_PATH": "webhook/:id", "RUNNER_SCALER_TLS_CERT": "/c.pem",
                "RUNNER_SCALER_RATE_LIMIT": "fast",
            ])
            Issue.record("expected a ConfigError")
        } catch {
            let keys = error.problems.map(\.keyPath)
            #expect(keys == ["--port / RUNNER_SCALER_PORT", "--webhook-path / RUNNER_SCALER_WEBHOOK_PATH",
                             "--rate-limit / RUNNER_SCALER_RATE_LIMIT", "--tls-key / RUNNER_SCALER_TLS_KEY"])
        }
    }
}

@Suite("Token bucket rate limit")
struct TokenBucketTests {
    @Test("A burst passes, the next request waits, and time refills the bucket")
    func bucket() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(rate: 2, burst: 3, now: start)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == .milliseconds(500))
        #expect(bucket.take(now: start + .milliseconds(500)) == nil)
        #expect(!bucket.isFull(now: start + .milliseconds(500)))
        #expect(bucket.isFull(now: start + .seconds(10)))
    }

    @Test("Each source has its own bucket, and the table stays bounded")
    func limiter() async {
        let limiter = RateLimiter(rate: 0.001, burst: 1, maxSources: 2)
        let now = ContinuousClock.now
        #expect(await limiter.admit("10.0.0.1", now: now) == nil)
        #expect(await limiter.admit("10.0.0.1", now: now) != nil)
        #expect(await limiter.admit("10.0.0.2", now: now) == nil)
        #expect(await limiter.admit("10.0.0.3", now: now) == nil)
        #expect(await limiter.trackedSources == 2)
    }
}
