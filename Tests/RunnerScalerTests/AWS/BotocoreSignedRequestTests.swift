import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    /// Requests botocore 1.43.11 built and signed: the typed requests must serialise to the same
    /// bodies, and the signer must reproduce every intermediate string.
    @Suite("botocore-signed EC2, SSM and Secrets Manager requests")
    struct BotocoreSignedRequestTests {
        static let file = "aws/sigv4/botocore-signed-requests.json"

        struct Document: Decodable {
            struct Credentials: Decodable {
                var access_key_id: String
                var secret_access_key: String
                var session_token: String
            }

            struct Case: Decodable {
                struct Request: Decodable {
                    var method: String
                    var url: String
                    var headers_before_signing: [String: String]
                    var body: String
                }

                struct Expected: Decodable {
                    var signed_headers_added: [String: String]
                    var canonical_request: String
                    var string_to_sign: String
                    var signature: String
                    var authorization: String
                }

                var name: String
                var signing_name: String
                var region: String
                var operation: String
                var uses_session_token: Bool
                var request: Request
                var expected: Expected
            }

            var credentials: Credentials
            var timestamp: String
            var cases: [Case]
        }

        static func document() throws -> Document {
            try JSONDecoder().decode(Document.self, from: Conformance.data(file))
        }

        static let caseNames: [String] = (try? document().cases.map(\.name)) ?? []

        func load(_ name: String) throws -> (Document, Document.Case, [String: Any]) {
            let document = try Self.document()
            let c = try #require(document.cases.first { $0.name == name })
            let raw = try #require(try Conformance.json(Self.file) as? [String: Any])
            let rawCase = try #require((raw["cases"] as? [[String: Any]])?.first { $0["name"] as? String == name })
            let params = try #require(rawCase["input_params"] as? [String: Any])
            return (document, c, params)
        }

        func signer(_ document: Document, _ c: Document.Case) -> SigV4Signer {
            SigV4Signer(
                credentials: SigV4Credentials(
                    accessKeyID: document.credentials.access_key_id,
                    secretAccessKey: Secret(document.credentials.secret_access_key),
                    sessionToken: c.uses_session_token ? Secret(document.credentials.session_token) : nil),
                region: c.region, service: c.signing_name)
        }

        @Test("All eight recorded cases are present")
        func allCasesPresent() {
            #expect(Self.caseNames.count == 8)
        }

        @Test("The recorded request, signed, gives botocore's canonical request, string to sign and Authorization",
              arguments: BotocoreSignedRequestTests.caseNames)
        func signsRecordedRequest(_ name: String) throws {
            let (document, c, _) = try load(name)
            let url = try #require(URLComponents(string: c.request.url))
            let request = AWSRequest(method: c.request.method, host: try #require(url.host), path: url.path,
                                     headers: c.request.headers_before_signing.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                     body: Array(c.request.body.utf8))
            let time = try #require(UTCTimestamp.parseAMZDate(document.timestamp))
            let signed = signer(document, c).sign(request, at: time)
            #expect(signed.canonicalRequest == c.expected.canonical_request)
            #expect(signed.stringToSign == c.expected.string_to_sign)
            #expect(signed.signature == c.expected.signature)
            #expect(signed.authorization == c.expected.authorization)
            for (header, value) in c.expected.signed_headers_added {
                #expect(signed.request.header(header) == value, "\(header)")
            }
            #expect(signed.request.header("X-Amz-Security-Token") == nil || c.uses_session_token)
        }

        @Test("The typed request built from the recorded input serialises to botocore's body byte for byte, and signs the same",
              arguments: BotocoreSignedRequestTests.caseNames)
        func typedRequestMatchesRecordedBody(_ name: String) throws {
            let (document, c, params) = try load(name)
            let host = try #require(URLComponents(string: c.request.url)?.host)
            var tracker = ParameterTracker(params)
            let request: AWSRequest
            switch c.operation {
            case "RunInstances": request = try Self.runInstances(&tracker).awsRequest(host: host)
            case "TerminateInstances": request = try Self.terminateInstances(&tracker).awsRequest(host: host)
            case "DescribeInstances": request = try Self.describeInstances(&tracker).awsRequest(host: host)
            case "CreateTags": request = try Self.createTags(&tracker).awsRequest(host: host)
            case "GetParameter": request = try Self.getParameter(&tracker).awsRequest(host: host)
            case "GetSecretValue": request = try Self.getSecretValue(&tracker).awsRequest(host: host)
            default: Issue.record("no typed request for \(c.operation)"); return
            }
            #expect(tracker.unused.isEmpty, "input parameters not modelled: \(tracker.unused)")
            #expect(String(decoding: request.body, as: UTF8.self) == c.request.body)
            for (header, value) in c.request.headers_before_signing {
                #expect(request.header(header) == value, "\(header)")
            }
            let time = try #require(UTCTimestamp.parseAMZDate(document.timestamp))
            #expect(signer(document, c).sign(request, at: time).authorization == c.expected.authorization)
        }

        // MARK: - Typed requests from botocore's input parameters

        /// Hands out input parameters and remembers which were never asked for.
        struct ParameterTracker {
            var params: [String: Any]
            var unused: Set<String>

            init(_ params: [String: Any]) {
                self.params = params
                self.unused = Set(params.keys)
            }

            mutating func take<T>(_ key: String, as: T.Type = T.self) -> T? {
                unused.remove(key)
                return params[key] as? T
            }

            mutating func require<T>(_ key: String, as: T.Type) throws -> T {
                guard let value = take(key, as: T.self) else {
                    throw MissingParameter(description: "input parameter \(key) missing or not \(T.self)")
                }
                return value
            }

            struct MissingParameter: Error, CustomStringConvertible {
                var description: String
            }
        }

        static func tags(_ list: [[String: Any]]?) -> [EC2Tag] {
            (list ?? []).map { EC2Tag(key: $0["Key"] as! String, value: $0["Value"] as! String) }
        }

        static func runInstances(_ p: inout ParameterTracker) throws -> EC2RunInstancesRequest {
            var r = EC2RunInstancesRequest(
                imageId: p.take("ImageId"), instanceType: p.take("InstanceType"),
                minCount: try p.require("MinCount", as: Int.self), maxCount: try p.require("MaxCount", as: Int.self),
                subnetId: p.take("SubnetId"), securityGroupIds: p.take("SecurityGroupIds") ?? [],
                keyName: p.take("KeyName"), clientToken: p.take("ClientToken"))
            // botocore's own RunInstances handler base64-encodes UserData; the recorded input is
            // already encoded, and the typed request takes the plain script.
            if let encoded: String = p.take("UserData") {
                let script = try #require(Data(base64Encoded: encoded))
                r.userData = Secret(String(decoding: script, as: UTF8.self))
            }
            if let profile: [String: String] = p.take("IamInstanceProfile") {
                r.iamInstanceProfile = profile["Arn"].map { .arn($0) } ?? profile["Name"].map { .name($0) }
            }
            r.instanceInitiatedShutdownBehavior = p.take("InstanceInitiatedShutdownBehavior", as: String.self)
                .flatMap(EC2RunInstancesRequest.ShutdownBehavior.init(rawValue:))
            if let metadata: [String: Any] = p.take("MetadataOptions") {
                r.metadataOptions = .init(httpTokens: metadata["HttpTokens"] as? String,
                                          httpPutResponseHopLimit: metadata["HttpPutResponseHopLimit"] as? Int,
                                          httpEndpoint: metadata["HttpEndpoint"] as? String)
            }
            r.tagSpecifications = (p.take("TagSpecifications", as: [[String: Any]].self) ?? []).map {
                EC2TagSpecification(resourceType: $0["ResourceType"] as! String, tags: tags($0["Tags"] as? [[String: Any]]))
            }
            return r
        }

        static func terminateInstances(_ p: inout ParameterTracker) throws -> EC2TerminateInstancesRequest {
            EC2TerminateInstancesRequest(instanceIds: try p.require("InstanceIds", as: [String].self))
        }

        static func describeInstances(_ p: inout ParameterTracker) throws -> EC2DescribeInstancesRequest {
            EC2DescribeInstancesRequest(
                instanceIds: p.take("InstanceIds") ?? [],
                filters: (p.take("Filters", as: [[String: Any]].self) ?? []).map {
                    EC2Filter(name: $0["Name"] as! String, values: $0["Values"] as! [String])
                },
                maxResults: p.take("MaxResults"), nextToken: p.take("NextToken"))
        }

        static func createTags(_ p: inout ParameterTracker) throws -> EC2CreateTagsRequest {
            EC2CreateTagsRequest(resourceIds: try p.require("Resources", as: [String].self), tags: tags(p.take("Tags", as: [[String: Any]].self)))
        }

        static func getParameter(_ p: inout ParameterTracker) throws -> SSMGetParameterRequest {
            SSMGetParameterRequest(name: try p.require("Name", as: String.self), withDecryption: p.take("WithDecryption"))
        }

        static func getSecretValue(_ p: inout ParameterTracker) throws -> SecretsManagerGetSecretValueRequest {
            SecretsManagerGetSecretValueRequest(secretId: try p.require("SecretId", as: String.self),
                                                versionId: p.take("VersionId"), versionStage: p.take("VersionStage"))
        }
    }
}
