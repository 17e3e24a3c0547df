import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("AWS secret references against moto")
    struct AWSSecretResolverTests {
        func resolver(_ moto: MotoServer, http: any HTTPClient = CurlHTTPClient()) -> AWSSecretResolver {
            AWSSecretResolver(environment: moto.environment, credentials: StaticAWSCredentials(moto.credentials),
                              http: RetryingHTTPClient(base: http))
        }

        static func unique(_ stem: String) -> String { "rs-test/\(stem)-\(UUID().uuidString.prefix(8))" }

        @Test("aws-sm:<name> resolves to the secret's string")
        func secretsManagerByName() async throws {
            let moto = try await MotoServer.shared.value
            let name = Self.unique("plain")
            _ = try await moto.createSecret(name: name, value: "hunter2")
            let value = try await resolver(moto).resolve(SecretReference(parsing: "aws-sm:\(name)"))
            #expect(value.exposedValue == "hunter2")
        }

        @Test("aws-sm:<arn>#key reads one key of a JSON secret")
        func secretsManagerJSONKey() async throws {
            let moto = try await MotoServer.shared.value
            let arn = try await moto.createSecret(name: Self.unique("json"),
                                                  value: #"{"webhook": "w-secret", "app_key": "k-secret", "n": 5}"#)
            #expect(arn.hasPrefix("arn:aws:secretsmanager:us-east-1:"))
            let resolver = resolver(moto)
            #expect(try await resolver.resolve(SecretReference(parsing: "aws-sm:\(arn)#webhook")).exposedValue == "w-secret")
            #expect(try await resolver.resolve(SecretReference(parsing: "aws-sm:\(arn)#n")).exposedValue == "5")
            do {
                _ = try await resolver.resolve(SecretReference(parsing: "aws-sm:\(arn)#missing"))
                Issue.record("resolved a key the secret does not have")
            } catch let error as SecretResolutionError {
                #expect("\(error)".contains("no key missing"))
                #expect(!"\(error)".contains("w-secret"))
            }
        }

        @Test("aws-ssm:<name> resolves a SecureString parameter, decrypted")
        func parameterStore() async throws {
            let moto = try await MotoServer.shared.value
            let name = "/" + Self.unique("param")
            try await moto.putParameter(name: name, value: "ssm-value")
            let http = AWSFaultInjectingHTTPClient()
            let value = try await resolver(moto, http: http).resolve(SecretReference(parsing: "aws-ssm:\(name)"))
            #expect(value.exposedValue == "ssm-value")
            let sent = try #require(http.requests.first)
            #expect(sent.headers["x-amz-target"] == "AmazonSSM.GetParameter")
            #expect(String(decoding: sent.body, as: UTF8.self).contains(#""WithDecryption": true"#))
        }

        @Test("Each secret is fetched once, however often and concurrently it is referenced")
        func cachedPerSecret() async throws {
            let moto = try await MotoServer.shared.value
            let name = Self.unique("cached")
            _ = try await moto.createSecret(name: name, value: #"{"a": "1", "b": "2"}"#)
            let parameter = "/" + Self.unique("cached")
            try await moto.putParameter(name: parameter, value: "p")
            let http = AWSFaultInjectingHTTPClient()
            let resolver = resolver(moto, http: http)
            let references = ["aws-sm:\(name)#a", "aws-sm:\(name)#b", "aws-sm:\(name)#a", "aws-ssm:\(parameter)",
                              "aws-ssm:\(parameter)"].map(SecretReference.init(parsing:))
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for reference in references { group.addTask { try await resolver.resolve(reference).exposedValue } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(values.sorted() == ["1", "1", "2", "p", "p"])
            _ = try await resolver.resolve(references[0])
            #expect(http.requests(action: "secretsmanager.GetSecretValue").count == 1)
            #expect(http.requests(action: "AmazonSSM.GetParameter").count == 1)
        }

        @Test("A missing secret is a lookup failure naming the reference and AWS's code")
        func missingSecret() async throws {
            let moto = try await MotoServer.shared.value
            let reference = SecretReference(parsing: "aws-sm:\(Self.unique("absent"))")
            do {
                _ = try await resolver(moto).resolve(reference)
                Issue.record("resolved a secret that does not exist")
            } catch let SecretResolutionError.lookupFailed(named, reason) {
                #expect(named == reference.description)
                #expect(reason.contains("ResourceNotFoundException"))
            }
        }

        @Test("StandardSecretResolver hands AWS references to the AWS resolver")
        func pluggedIntoStandardResolver() async throws {
            let moto = try await MotoServer.shared.value
            let name = Self.unique("standard")
            _ = try await moto.createSecret(name: name, value: "via-standard")
            let standard = StandardSecretResolver(aws: resolver(moto))
            #expect(try await standard.resolve(SecretReference(parsing: "aws-sm:\(name)")).exposedValue == "via-standard")
            #expect(try await standard.resolve(SecretReference(parsing: "literal")).exposedValue == "literal")
        }

        @Test("Without a region, resolution fails with a message saying to set AWS_REGION")
        func noRegion() async throws {
            let resolver = AWSSecretResolver(environment: ["HOME": "/nonexistent"],
                                             credentials: StaticAWSCredentials(SigV4Credentials(accessKeyID: "AKID", secretAccessKey: Secret("s"))),
                                             http: RetryingHTTPClient(base: CurlHTTPClient()))
            do {
                _ = try await resolver.resolve(SecretReference(parsing: "aws-ssm:/x"))
                Issue.record("resolved without a region")
            } catch let SecretResolutionError.lookupFailed(_, reason) {
                #expect(reason.contains("AWS_REGION"))
            }
        }
    }
}
