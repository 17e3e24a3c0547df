#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Resolves `aws-sm:<name-or-arn>[#json-key]` through Secrets Manager `GetSecretValue` and
/// `aws-ssm:<name>` through SSM `GetParameter` (with decryption). Each secret or parameter
/// is fetched once and kept for the life of the process (one Lambda cold start); concurrent
/// resolutions of the same one share the call, and two JSON keys of one secret share it too.
/// Plug it in as `StandardSecretResolver(aws:)`.
public actor AWSSecretResolver: SecretResolving {
    private let environment: [String: String]
    private let defaultRegion: String?
    private let credentials: any AWSCredentialsProviding
    private let http: RetryingHTTPClient
    private let budget: Duration
    private let now: @Sendable () -> Date
    private var fetches: [String: Task<Secret, any Error>] = [:]

    /// `region` defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's; a secret
    /// named by ARN is always read in the ARN's region. `budget` bounds one resolution.
    public init(environment: [String: String], credentials: any AWSCredentialsProviding, http: RetryingHTTPClient,
                region: String? = nil, budget: Duration = .seconds(10), now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.defaultRegion = AWSRegion.resolve(configured: region, environment: environment)
        self.credentials = credentials
        self.http = http
        self.budget = budget
        self.now = now
    }

    /// The standard credentials chain (cached) and the shared retry policy over `http`.
    public init(environment: [String: String], http: any HTTPClient, logger: Logger? = nil) {
        self.init(environment: environment, credentials: AWSCredentialsCache.standard(environment: environment, http: http),
                  http: RetryingHTTPClient(base: http, logger: logger))
    }

    public func resolve(_ reference: SecretReference) async throws -> Secret {
        if let problem = reference.syntaxProblem {
            throw SecretResolutionError.unsupported(reference: reference.description, why: problem)
        }
        let value: Secret
        switch reference {
        case let .awsSecretsManager(id, jsonKey):
            let secret = try await fetch(reference, key: "sm|\(id)") { client in
                let response = try await client.getSecretValue(SecretsManagerGetSecretValueRequest(secretId: id),
                                                               deadline: .after(self.budget))
                guard let secret = response.secret else {
                    throw SecretResolutionError.lookupFailed(reference: reference.description,
                                                             reason: "the secret has no SecretString and no UTF-8 SecretBinary")
                }
                return secret
            } service: { .secretsManager } region: { AWSRegion.fromARN(id) }
            value = try jsonKey.map { try Self.field($0, of: secret, reference: reference) } ?? secret
        case let .awsParameterStore(name):
            value = try await fetch(reference, key: "ssm|\(name)") { client in
                try await client.getParameter(SSMGetParameterRequest(name: name, withDecryption: true),
                                              deadline: .after(self.budget)).parameter.value
            } service: { .ssm } region: { name.hasPrefix("arn:") ? AWSRegion.fromARN(name) : nil }
        case .literal, .file:
            throw SecretResolutionError.unsupported(reference: reference.description,
                                                    why: "not an aws-sm: or aws-ssm: reference")
        }
        guard !value.isEmpty else { throw SecretResolutionError.empty(reference: reference.description) }
        return value
    }

    /// One call per `key`, shared by concurrent callers; failures are not kept, so a later
    /// resolution tries again.
    private func fetch(_ reference: SecretReference, key: String,
                       _ call: @escaping @Sendable (AWSJSONClient) async throws -> Secret,
                       service: () -> AWSService, region arnRegion: () -> String?) async throws -> Secret {
        if let existing = fetches[key] { return try await Self.value(of: existing, reference: reference) }
        guard let region = arnRegion() ?? defaultRegion else {
            throw SecretResolutionError.lookupFailed(
                reference: reference.description, reason: "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)")
        }
        let client: AWSJSONClient
        do {
            client = AWSJSONClient(service: try AWSServiceClient(service: service(), region: region, environment: environment,
                                                                 credentials: credentials, http: http, now: now))
        } catch {
            throw SecretResolutionError.lookupFailed(reference: reference.description, reason: "\(error)")
        }
        let task = Task { try await call(client) }
        fetches[key] = task
        do {
            return try await Self.value(of: task, reference: reference)
        } catch {
            fetches[key] = nil
            throw error
        }
    }

    private static func value(of task: Task<Secret, any Error>, reference: SecretReference) async throws -> Secret {
        do {
            return try await task.value
        } catch let error as SecretResolutionError {
            throw error
        } catch {
            // AWS errors carry only the service's code and message, never the value.
            throw SecretResolutionError.lookupFailed(reference: reference.description, reason: "\(error)")
        }
    }

    /// `#key` of a secret holding a JSON object; strings as they are, other values as JSON.
    static func field(_ key: String, of secret: Secret, reference: SecretReference) throws -> Secret {
        guard let object = JSONReader.object(secret.exposedValue.utf8) else {
            throw SecretResolutionError.lookupFailed(reference: reference.description,
                                                     reason: "the secret is not a JSON object, so #\(key) cannot be read")
        }
        guard let value = object[key], !(value is JSONNull) else {
            throw SecretResolutionError.lookupFailed(reference: reference.description,
                                                     reason: "the secret's JSON has no key \(key)")
        }
        if let string = value as? String { return Secret(string) }
        let data = try JSONText.data(any: value)
        return Secret(String(decoding: data, as: UTF8.self))
    }
}
