import Foundation
@testable import RunnerScaler

/// moto (Tests/Peers/moto_peer.py) with signature checking on. The first
/// `unauthenticatedCalls` calls create an IAM user, its allow-all policy and an access key
/// (signed with a made-up key, which moto does not check yet); every later call must be
/// signed with that key, so each test against moto also proves our SigV4.
///
/// One server per test process (`shared`), started on first use: moto takes a moment to
/// start, and tests keep apart by using their own pool names. The peer exits when this
/// process does.
final class MotoServer: Sendable {
    static let region = "us-east-1"
    static let unauthenticatedCalls = 3
    static let shared = Task { try await MotoServer.start() }

    let peer: TestPeer
    /// The IAM user's access key.
    let credentials: SigV4Credentials

    var baseURL: String { peer.baseURL }

    /// What a process pointed at this moto would have: endpoint override, region, and no
    /// instance metadata lookups.
    var environment: [String: String] {
        ["AWS_ENDPOINT_URL": baseURL, "AWS_REGION": Self.region, "AWS_EC2_METADATA_DISABLED": "true"]
    }

    private init(peer: TestPeer, credentials: SigV4Credentials) {
        self.peer = peer
        self.credentials = credentials
    }

    static func start() async throws -> MotoServer {
        let peer = try TestPeer(script: "moto_peer.py",
                                environment: ["INITIAL_NO_AUTH_ACTION_COUNT": String(unauthenticatedCalls)])
        let bootstrap = SigV4Credentials(accessKeyID: "AKIDBOOTSTRAPUNCHECKED", secretAccessKey: Secret("unchecked"))
        let iam = client(.iam, baseURL: peer.baseURL, credentials: bootstrap)
        let user = "runner-scaler-test"
        let version = "2010-05-08"
        _ = try await query(iam, action: "CreateUser", version: version, ["UserName": user])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await query(iam, action: "PutUserPolicy", version: version,
                            ["UserName": user, "PolicyName": "allow-all", "PolicyDocument": policy])
        let key = try await query(iam, action: "CreateAccessKey", version: version, ["UserName": user])
        guard let accessKey = key.child("CreateAccessKeyResult")?.child("AccessKey"),
              let id = accessKey.string("AccessKeyId"), let secret = accessKey.string("SecretAccessKey")
        else { throw PeerError("CreateAccessKey answered without a key") }
        return MotoServer(peer: peer, credentials: SigV4Credentials(accessKeyID: id, secretAccessKey: Secret(secret)))
    }

    static func client(_ service: AWSService, baseURL: String, credentials: SigV4Credentials,
                       http: any HTTPClient = CurlHTTPClient(), sleeper: any RetrySleeper = SystemRetrySleeper()) -> AWSServiceClient {
        AWSServiceClient(service: service, region: region, endpoint: AWSEndpoint(url: baseURL)!,
                         credentials: StaticAWSCredentials(credentials),
                         http: RetryingHTTPClient(base: http, sleeper: sleeper))
    }

    func client(_ service: AWSService, credentials: SigV4Credentials? = nil, http: any HTTPClient = CurlHTTPClient(),
                sleeper: any RetrySleeper = SystemRetrySleeper()) -> AWSServiceClient {
        Self.client(service, baseURL: baseURL, credentials: credentials ?? self.credentials, http: http, sleeper: sleeper)
    }

    func ec2(http: any HTTPClient = CurlHTTPClient()) -> EC2Client { EC2Client(service: client(.ec2, http: http)) }

    /// An EC2 provider signing with the IAM user's key, through `http`.
    func provider(http: any HTTPClient = CurlHTTPClient(), pools: [PoolConfig] = [], managedBy: String = "rs",
                  dryRun: Bool = false, sleeper: any RetrySleeper = SystemRetrySleeper()) -> EC2Provider {
        EC2Provider(environment: environment, credentials: StaticAWSCredentials(credentials),
                    http: RetryingHTTPClient(base: http, sleeper: sleeper), managedBy: managedBy, pools: pools, dryRun: dryRun)
    }

    /// A signed Query call; the parsed success document, or the `EC2Error` answered.
    static func query(_ client: AWSServiceClient, action: String, version: String,
                      _ parameters: KeyValuePairs<String, String>) async throws -> AWSXMLElement {
        let request = AWSQuerySerializer.request(host: client.endpoint.host, action: action, version: version,
                                                 parameters: parameters.map { ($0.key, $0.value) })
        let response = try await client.send(request, deadline: .after(.seconds(30)), classify: AWSRetryClassification.query)
        guard response.isSuccess else { throw EC2Error.parse(httpStatus: response.status, body: response.body) }
        return try AWSXMLElement.parse(response.body)
    }

    func ec2Query(_ action: String, _ parameters: KeyValuePairs<String, String>) async throws -> AWSXMLElement {
        try await Self.query(client(.ec2), action: action, version: EC2API.version, parameters)
    }

    /// A signed awsJson1.1 call (to create the secrets and parameters tests read back).
    @discardableResult
    func json(_ service: AWSService, target: String,
              _ members: [(name: String, value: AWSJSONRequest.Value)]) async throws -> [String: Any] {
        let client = client(service)
        let request = AWSJSONRequest(target: target, members: members).awsRequest(host: client.endpoint.host)
        let response = try await client.send(request, deadline: .after(.seconds(30)), classify: AWSRetryClassification.json)
        guard response.isSuccess else {
            throw AWSJSONError.parse(httpStatus: response.status, body: response.body)
        }
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// Creates a Secrets Manager secret; its ARN.
    func createSecret(name: String, value: String) async throws -> String {
        let answer = try await json(.secretsManager, target: "secretsmanager.CreateSecret",
                                    [("Name", .string(name)), ("SecretString", .string(value))])
        return answer["ARN"] as? String ?? ""
    }

    /// Creates an SSM parameter (a SecureString unless told otherwise).
    func putParameter(name: String, value: String, type: String = "SecureString") async throws {
        try await json(.ssm, target: "AmazonSSM.PutParameter",
                       [("Name", .string(name)), ("Value", .string(value)), ("Type", .string(type))])
    }

    /// The default VPC's subnets, one per availability zone.
    func defaultSubnets() async throws -> [String] {
        try await ec2Query("DescribeSubnets", [:]).items("subnetSet").compactMap { $0.string("subnetId") }
    }
}
