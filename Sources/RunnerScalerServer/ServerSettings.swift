import Foundation
import RunnerScaler

/// How `serve` listens and protects itself. Every setting has a flag and an environment
/// variable (the flag wins); `init(environment:)` reads the variables, so the command only has
/// to put its flags into the same names.
public struct ServerSettings: Sendable, Equatable {
    /// Loopback by default: nothing is exposed until asked for. Containers need `0.0.0.0`.
    public var host = "127.0.0.1"
    public var port = 8080
    public var webhookPath = "/webhook"
    /// GitHub caps payloads at 25 MB; the margin keeps a maximal delivery from being refused
    /// here before its signature is even checked.
    public var maxBodyBytes = 26 * 1024 * 1024
    /// Per source address; nil turns the limit off.
    public var rateLimit: RateLimit? = RateLimit(requestsPerSecond: 20, burst: 200)
    /// Key the rate limit on the last `X-Forwarded-For` address instead of the peer address,
    /// for a server behind one reverse proxy (which must then set that header).
    public var trustForwardedFor = false
    public var tls: TLSFiles?
    /// How often the sweep runs; nil never.
    public var sweepInterval: Duration? = .seconds(300)
    /// What a delivery may take; GitHub waits 10 s for the answer.
    public var webhookDeadline: Duration = WebhookHandler.defaultDeadline

    public struct RateLimit: Sendable, Equatable {
        public var requestsPerSecond: Double
        public var burst: Int

        public init(requestsPerSecond: Double, burst: Int) {
            self.requestsPerSecond = requestsPerSecond
            self.burst = burst
        }
    }

    public struct TLSFiles: Sendable, Equatable {
        /// PEM certificate chain, leaf first.
        public var certificatePath: String
        /// PEM private key of the leaf certificate.
        public var keyPath: String

        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    public init() {}

    public static let hostVariable = "RUNNER_SCALER_HOST"
    public static let portVariable = "RUNNER_SCALER_PORT"
    public static let webhookPathVariable = "RUNNER_SCALER_WEBHOOK_PATH"
    public static let maxBodyBytesVariable = "RUNNER_SCALER_MAX_BODY_BYTES"
    public static let rateLimitVariable = "RUNNER_SCALER_RATE_LIMIT"
    public static let rateLimitBurstVariable = "RUNNER_SCALER_RATE_LIMIT_BURST"
    public static let trustForwardedForVariable = "RUNNER_SCALER_TRUST_FORWARDED_FOR"
    public static let tlsCertificateVariable = "RUNNER_SCALER_TLS_CERT"
    public static let tlsKeyVariable = "RUNNER_SCALER_TLS_KEY"
    public static let sweepIntervalVariable = "RUNNER_SCALER_SWEEP_INTERVAL"

    /// Reads and checks every variable, reporting all problems at once.
    public init(environment env: [String: String]) throws(ConfigError) {
        var problems: [ConfigProblem] = []
        func value(_ name: String) -> String? {
            env[name].map { String($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func key(_ name: String, _ flag: String) -> String { "\(flag) / \(name)" }

        if let host = value(Self.hostVariable) {
            if host.contains("/") || host.contains(" ") {
                problems.append(ConfigProblem(key(Self.hostVariable, "--host"), "must be an address or host name such as 127.0.0.1, 0.0.0.0 or ::, got \(host)"))
            } else {
                self.host = host
            }
        }
        if let raw = value(Self.portVariable) {
            if let port = Int(raw), (0...65_535).contains(port) { self.port = port } else {
                problems.append(ConfigProblem(key(Self.portVariable, "--port"), "must be a port number from 0 to 65535 (0 picks a free port), got \(raw)"))
            }
        }
        if let path = value(Self.webhookPathVariable) {
            if Self.isPlainPath(path) { webhookPath = path } else {
                problems.append(ConfigProblem(key(Self.webhookPathVariable, "--webhook-path"),
                    "must be a plain path such as /webhook or /github/events (letters, digits, - _ . ~ and /), got \(path)"))
            }
        }
        if let raw = value(Self.maxBodyBytesVariable) {
            if let bytes = Int(raw), bytes >= 1024 { maxBodyBytes = bytes } else {
                problems.append(ConfigProblem(key(Self.maxBodyBytesVariable, "--max-body-bytes"),
                    "must be a byte count of at least 1024 (GitHub sends up to 25 MB; default \(26 * 1024 * 1024)), got \(raw)"))
            }
        }
        var rate = rateLimit
        if let raw = value(Self.rateLimitVariable) {
            if let perSecond = Double(raw), perSecond.isFinite, perSecond >= 0 {
                rate = perSecond == 0 ? nil : RateLimit(requestsPerSecond: perSecond, burst: rate?.burst ?? 200)
            } else {
                problems.append(ConfigProblem(key(Self.rateLimitVariable, "--rate-limit"),
                    "must be requests per second per source address (0 turns the limit off), got \(raw)"))
            }
        }
        if let raw = value(Self.rateLimitBurstVariable) {
            if let burst = Int(raw), burst >= 1 {
                if rate != nil { rate?.burst = burst }
            } else {
                problems.append(ConfigProblem(key(Self.rateLimitBurstVariable, "--rate-limit-burst"),
                    "must be a whole number of requests of at least 1, got \(raw)"))
            }
        }
        rateLimit = rate
        if let raw = value(Self.trustForwardedForVariable) {
            switch raw.lowercased() {
            case "1", "true", "yes", "on": trustForwardedFor = true
            case "0", "false", "no", "off": trustForwardedFor = false
            default: problems.append(ConfigProblem(key(Self.trustForwardedForVariable, "--trust-forwarded-for"), "must be true or false, got \(raw)"))
            }
        }
        switch (value(Self.tlsCertificateVariable), value(Self.tlsKeyVariable)) {
        case (nil, nil): tls = nil
        case let (cert?, key?): tls = TLSFiles(certificatePath: cert, keyPath: key)
        case (nil, _?): problems.append(ConfigProblem(key(Self.tlsCertificateVariable, "--tls-cert"), "is not set but the TLS key is; give both for TLS, or neither for plain HTTP"))
        case (_?, nil): problems.append(ConfigProblem(key(Self.tlsKeyVariable, "--tls-key"), "is not set but the TLS certificate is; give both for TLS, or neither for plain HTTP"))
        }
        if let raw = value(Self.sweepIntervalVariable) {
            if let seconds = Int(raw), seconds >= 0 { sweepInterval = seconds == 0 ? nil : .seconds(seconds) } else {
                problems.append(ConfigProblem(key(Self.sweepIntervalVariable, "--sweep-interval"), "must be whole seconds (0 turns the sweep off), got \(raw)"))
            }
        }
        guard problems.isEmpty else { throw ConfigError(problems) }
    }

    static func isPlainPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), !path.contains("//") else { return false }
        return path.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "-_.~/".unicodeScalars.contains(scalar)
        }
    }
}
