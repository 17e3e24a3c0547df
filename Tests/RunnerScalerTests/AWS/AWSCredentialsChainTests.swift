import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("AWS credentials chain")
    struct AWSCredentialsChainTests {
        let home: AWSTestDirectory
        let http = CurlHTTPClient()

        init() throws { home = try AWSTestDirectory() }

        /// A fake HOME, and no instance metadata unless a test asks for it.
        func environment(_ extra: [String: String] = [:]) -> [String: String] {
            ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { _, new in new }
        }

        func resolve(_ env: [String: String]) async throws -> (credentials: SigV4Credentials, source: String) {
            try await AWSCredentialsChain.standard(environment: env, http: http).resolve(deadline: .after(.seconds(10)))
        }

        static let credentialsFile = """
            # comment
            [default]
            aws_access_key_id = AKIDFILEDEFAULT
            aws_secret_access_key = file-default-secret

            [ci]
            aws_access_key_id=AKIDFILECI
            aws_secret_access_key=file-ci-secret
            aws_session_token = file-ci-token
            """

        @Test("Keys in the environment win over every other source")
        func environmentFirst() async throws {
            try home.write(".aws/credentials", Self.credentialsFile)
            let (credentials, source) = try await resolve(environment([
                "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/creds",
            ]))
            #expect(source == "environment")
            #expect(credentials.accessKeyID == "AKIDENV")
            #expect(credentials.secretAccessKey.exposedValue == "env-secret")
            #expect(credentials.sessionToken?.exposedValue == "env-token")
        }

        @Test("Half a key pair in the environment is an error naming the missing variable")
        func partialEnvironment() async throws {
            await #expect(throws: AWSCredentialsError.partial(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")) {
                try await resolve(environment(["AWS_ACCESS_KEY_ID": "AKIDENV"]))
            }
        }

        @Test("Without environment keys, the default profile of ~/.aws/credentials is used")
        func defaultProfile() async throws {
            try home.write(".aws/credentials", Self.credentialsFile)
            let (credentials, source) = try await resolve(environment())
            #expect(source == "shared files")
            #expect(credentials.accessKeyID == "AKIDFILEDEFAULT")
            #expect(credentials.secretAccessKey.exposedValue == "file-default-secret")
            #expect(credentials.sessionToken == nil)
        }

        @Test("AWS_PROFILE and AWS_SHARED_CREDENTIALS_FILE select the profile and the file")
        func namedProfileAndFile() async throws {
            let path = try home.write("elsewhere/creds.ini", Self.credentialsFile)
            let (credentials, _) = try await resolve(environment(["AWS_PROFILE": "ci", "AWS_SHARED_CREDENTIALS_FILE": path]))
            #expect(credentials.accessKeyID == "AKIDFILECI")
            #expect(credentials.sessionToken?.exposedValue == "file-ci-token")
        }

        @Test("A [profile x] section of the config file (AWS_CONFIG_FILE) holds keys too, and gives the region")
        func configFileProfile() async throws {
            let config = try home.write("cfg", """
                [default]
                region = eu-west-1
                [profile build]
                region = eu-central-1
                aws_access_key_id = AKIDCONFIGBUILD
                aws_secret_access_key = config-build-secret
                s3 =
                    max_concurrent_requests = 20
                """)
            let env = environment(["AWS_PROFILE": "build", "AWS_CONFIG_FILE": config])
            let (credentials, _) = try await resolve(env)
            #expect(credentials.accessKeyID == "AKIDCONFIGBUILD")
            #expect(AWSRegion.resolve(configured: nil, environment: env) == "eu-central-1")
            #expect(AWSRegion.resolve(configured: nil, environment: environment(["AWS_CONFIG_FILE": config])) == "eu-west-1")
        }

        @Test("The credentials file wins over the config file for the same profile")
        func credentialsFileWins() async throws {
            try home.write(".aws/credentials", Self.credentialsFile)
            try home.write(".aws/config", """
                [default]
                aws_access_key_id = AKIDCONFIG
                aws_secret_access_key = config-secret
                """)
            #expect(try await resolve(environment()).credentials.accessKeyID == "AKIDFILEDEFAULT")
        }

        @Test("An AWS_PROFILE that neither file has is an error naming the profile")
        func missingProfile() async throws {
            try home.write(".aws/credentials", Self.credentialsFile)
            do {
                _ = try await resolve(environment(["AWS_PROFILE": "nope"]))
                Issue.record("resolved a profile that does not exist")
            } catch let error as AWSCredentialsError {
                guard case let .profileNotFound(profile, _) = error else { throw error }
                #expect(profile == "nope")
                #expect(error.description.contains("AWS_PROFILE"))
            }
        }

        @Test("Container credentials come from the full URI with the authorization token")
        func containerFullURI() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py", arguments: ["--auth-token", "container-auth"])
            let (credentials, source) = try await resolve(environment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": peer.baseURL + "/v2/credentials/abc",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth",
            ]))
            #expect(source == "container")
            #expect(credentials.accessKeyID == "ASIAPEER1")
            #expect(credentials.sessionToken?.exposedValue == "peer-token-1")
            #expect(credentials.expiration != nil)
            let request = try #require(try await peer.requests().first)
            #expect(request["path"] as? String == "/v2/credentials/abc")
        }

        @Test("The authorization token file wins over the token variable")
        func containerTokenFile() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py", arguments: ["--auth-token", "from-file"])
            let tokenFile = try home.write("token", "from-file\n")
            let (credentials, _) = try await resolve(environment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": peer.baseURL + "/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-variable",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            ]))
            #expect(credentials.accessKeyID == "ASIAPEER1")
        }

        @Test("A wrong container authorization token is an error, not a silent fall-through")
        func containerRefused() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py", arguments: ["--auth-token", "right"])
            await #expect(throws: AWSCredentialsError.self) {
                try await resolve(environment([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": peer.baseURL + "/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong",
                ]))
            }
        }

        @Test("The relative URI is taken relative to the ECS agent at 169.254.170.2")
        func containerRelativeURI() throws {
            let source = AWSContainerCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"],
                                                 http: http)
            #expect(try source.endpointURL() == "http://169.254.170.2/v2/credentials/x")
        }

        @Test("A plain-http full URI to a host that is neither loopback nor the ECS agent is refused")
        func containerDisallowedHost() throws {
            let source = AWSContainerCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"],
                                                 http: http)
            #expect(throws: AWSCredentialsError.self) { try source.endpointURL() }
            let https = AWSContainerCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://example.com/creds"],
                                                http: http)
            #expect(try https.endpointURL() == "https://example.com/creds")
        }

        @Test("IMDSv2: a PUT for a session token with a TTL, then the role name and its credentials with that token")
        func instanceMetadata() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py")
            let (credentials, source) = try await resolve(environment([
                "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.baseURL + "/",
            ]))
            #expect(source == "IMDSv2")
            #expect(credentials.accessKeyID == "ASIAPEER1")
            #expect(credentials.secretAccessKey.exposedValue == "peer-secret-1")
            let requests = try await peer.requests()
            #expect(requests.map { "\($0["method"]!) \($0["path"]!)" } == [
                "PUT /latest/api/token",
                "GET /latest/meta-data/iam/security-credentials/",
                "GET /latest/meta-data/iam/security-credentials/runner-scaler-test-role",
            ])
            let headers = requests.map { $0["headers"] as! [String: String] }
            #expect(headers[0]["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")
            let token = try #require(headers[1]["x-aws-ec2-metadata-token"])
            #expect(headers[2]["x-aws-ec2-metadata-token"] == token)
        }

        @Test("Container credentials come before the instance metadata service")
        func containerBeforeIMDS() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py")
            let (_, source) = try await resolve(environment([
                "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.baseURL,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": peer.baseURL + "/creds",
            ]))
            #expect(source == "container")
        }

        @Test("Shared files come before container credentials")
        func filesBeforeContainer() async throws {
            try home.write(".aws/credentials", Self.credentialsFile)
            let (_, source) = try await resolve(environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/x"]))
            #expect(source == "shared files")
        }

        @Test("An instance without a role has no credentials to give")
        func instanceWithoutRole() async throws {
            let peer = try TestPeer(script: "aws_metadata_peer.py", arguments: ["--no-role"])
            do {
                _ = try await resolve(environment(["AWS_EC2_METADATA_DISABLED": "false",
                                                   "AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.baseURL]))
                Issue.record("found credentials without a role")
            } catch let AWSCredentialsError.noCredentials(tried) {
                #expect(tried.last == "IMDSv2: the instance has no IAM role")
            }
        }

        @Test("With nothing configured, the error says what each source lacked and how to fix it")
        func nothingConfigured() async throws {
            do {
                _ = try await resolve(environment(["AWS_EC2_METADATA_DISABLED": "false",
                                                   "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"]))
                Issue.record("found credentials in an empty environment")
            } catch let error as AWSCredentialsError {
                guard case let .noCredentials(tried) = error else { throw error }
                #expect(tried.count == 4)
                #expect(tried[0].contains("AWS_ACCESS_KEY_ID"))
                #expect(tried[1].contains("[default]"))
                #expect(tried[2].contains("AWS_CONTAINER_CREDENTIALS"))
                #expect(tried[3].hasPrefix("IMDSv2: no metadata service"))
                #expect(error.description.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
            }
        }

        @Test("AWS_EC2_METADATA_DISABLED=true skips the metadata service without a call")
        func metadataDisabled() async throws {
            let source = AWSInstanceMetadataCredentials(environment: ["AWS_EC2_METADATA_DISABLED": "true"],
                                                        http: ScriptedHTTPClient([.failure(HTTPClientError(.transport, method: "PUT", path: "/"))]))
            #expect(try await source.load(deadline: .after(.seconds(5)))
                == .notConfigured("IMDSv2: AWS_EC2_METADATA_DISABLED is true"))
        }

        @Test("Credentials print, debug-print and dump as redacted")
        func redacted() {
            let credentials = SigV4Credentials(accessKeyID: "AKIDSHOWN", secretAccessKey: Secret("very-secret-key"),
                                               sessionToken: Secret("very-secret-token"))
            var dumped = ""
            dump(credentials, to: &dumped)
            for text in ["\(credentials)", String(reflecting: credentials), dumped,
                         "\(StaticAWSCredentials(credentials))"] {
                #expect(!text.contains("very-secret"))
            }
            #expect("\(credentials)".contains("AKIDSHOWN"))
        }
    }
}
