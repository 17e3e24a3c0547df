import Foundation
import RunnerScaler

/// An in-process stand-in for GitHub and EC2: answers each call at once with a canned
/// response of the real shape (moto's XML for EC2, GitHub's JSON), and counts the calls.
/// It lets a benchmark time the handler's own work with no network and no peer process,
/// and check how many external calls one queued job costs.
public final class CannedHTTPClient: HTTPClient, @unchecked Sendable {
    public enum Call: String, CaseIterable, Sendable {
        case installationToken, jitConfig, registrationToken, listRunners
        case describeInstances, runInstances, terminateInstances, other
    }

    private let lock = NSLock()
    private var counts: [Call: Int] = [:]
    private let jitBody: [UInt8]

    public init() {
        // A real encoded JIT config is the base64 of a ~2 KB JSON document.
        let config = String(repeating: "eyJydW5uZXIiOnsibmFtZSI6InJzIiwiaWQiOjQyfX0", count: 64)
        jitBody = Array(("""
        {"runner":{"id":23,"name":"rs-linux-x64-1","os":"unknown","status":"offline","busy":false,\
        "runner_group_id":1,"labels":[{"id":5,"name":"self-hosted","type":"read-only"},\
        {"id":7,"name":"linux","type":"read-only"},{"id":20,"name":"x64","type":"read-only"}]},\
        "encoded_jit_config":"\(config)"}
        """).utf8)
    }

    public func count(_ call: Call) -> Int { lock.withLock { counts[call, default: 0] } }
    public var total: Int { lock.withLock { counts.values.reduce(0, +) } }
    public func reset() { lock.withLock { counts = [:] } }
    public var snapshot: [Call: Int] { lock.withLock { counts } }

    public func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse {
        let (call, response) = answer(request)
        lock.withLock { counts[call, default: 0] += 1 }
        return response
    }

    func answer(_ request: HTTPRequest) -> (Call, HTTPResponse) {
        let path = request.path
        if path.hasSuffix("/access_tokens") {
            let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            return (.installationToken, json(201, #"{"token":"ghs_16C7e42F292c6912E7710c838347Ae178B4a","expires_at":"\#(expires)","permissions":{"organization_self_hosted_runners":"write"},"repository_selection":"all"}"#))
        }
        if path.hasSuffix("/generate-jitconfig") { return (.jitConfig, HTTPResponse(status: 201, headers: jsonHeaders, body: jitBody)) }
        if path.hasSuffix("/registration-token") {
            return (.registrationToken, json(201, #"{"token":"LLBF3JGZDX3P5PMEXLND6TS6FCWO6","expires_at":"2099-01-01T00:00:00Z"}"#))
        }
        if path.hasSuffix("/actions/runners") { return (.listRunners, json(200, #"{"total_count":0,"runners":[]}"#)) }
        let form = String(decoding: request.body, as: UTF8.self)
        if form.hasPrefix("Action=DescribeInstances") { return (.describeInstances, xml(Self.describeEmpty)) }
        if form.hasPrefix("Action=RunInstances") { return (.runInstances, xml(Self.runInstances)) }
        if form.hasPrefix("Action=TerminateInstances") { return (.terminateInstances, xml(Self.terminate)) }
        return (.other, json(404, #"{"message":"Not Found"}"#))
    }

    private let jsonHeaders: HeaderFields = ["Content-Type": "application/json; charset=utf-8", "X-RateLimit-Remaining": "4999"]
    private func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: jsonHeaders, body: Array(text.utf8))
    }
    private func xml(_ text: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": "text/xml"], body: Array(text.utf8))
    }

    static let describeEmpty = #"<?xml version="1.0" encoding="utf-8"?><DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><reservationSet/><requestId>request-id</requestId></DescribeInstancesResponse>"#

    static let terminate = #"<?xml version="1.0" encoding="utf-8"?><TerminateInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><requestId>request-id</requestId><instancesSet><item><instanceId>i-4f95b4220ebd99d98</instanceId><previousState><code>16</code><name>running</name></previousState><currentState><code>32</code><name>shutting-down</name></currentState></item></instancesSet></TerminateInstancesResponse>"#

    /// moto's RunInstances answer (the shape EC2 sends), one instance, tagged as the scaler tags.
    static let runInstances = #"<?xml version="1.0" encoding="utf-8"?><RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><reservationId>r-f0579380d19119348</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item><architecture>x86_64</architecture><blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><attachTime>2026-11-22T03:02:20.000Z</attachTime><deleteOnTermination>true</deleteOnTermination><status>attached</status><volumeId>vol-9604de7c28d25fada</volumeId></ebs></item></blockDeviceMapping><clientToken>rs-linux-x64-1</clientToken><ebsOptimized>false</ebsOptimized><hypervisor>xen</hypervisor><networkInterfaceSet><item><attachment><attachTime>2026-11-22T03:02:20.000Z</attachTime><attachmentId>eni-attach-33b2e4b464a74d44c</attachmentId><deleteOnTermination>false</deleteOnTermination><deviceIndex>0</deviceIndex><status>attached</status><networkCardIndex>0</networkCardIndex></attachment><description>Primary network interface</description><groupSet><item><groupId>sg-f0c9f392b376585bb</groupId><groupName>default</groupName></item></groupSet><ipv6AddressesSet/><macAddress>02:00:00:4f:cf:c4</macAddress><networkInterfaceId>eni-7062314328ec16f00</networkInterfaceId><ownerId>123456789012</ownerId><privateDnsName>ip-10-179-92-10.ec2.internal</privateDnsName><privateIpAddress>10.179.92.10</privateIpAddress><sourceDestCheck>true</sourceDestCheck><status>in-use</status><subnetId>subnet-97eae933bc5eebba7</subnetId><vpcId>vpc-534b0e12c3dd083bc</vpcId><interfaceType>interface</interfaceType></item></networkInterfaceSet><rootDeviceName>/dev/sda1</rootDeviceName><rootDeviceType>ebs</rootDeviceType><groupSet/><sourceDestCheck>true</sourceDestCheck><stateReason><code/><message/></stateReason><tagSet><item><key>Name</key><value>rs-linux-x64-1</value></item><item><key>runner-scaler:managed-by</key><value>rs</value></item></tagSet><virtualizationType>hvm</virtualizationType><instanceId>i-4f95b4220ebd99d98</instanceId><imageId>ami-03cf127a</imageId><instanceState><code>0</code><name>pending</name></instanceState><privateDnsName>ip-10-179-92-10.ec2.internal</privateDnsName><reason/><amiLaunchIndex>0</amiLaunchIndex><productCodes/><instanceType>t3.micro</instanceType><launchTime>2026-11-22T03:02:20.000Z</launchTime><placement><groupName/><tenancy>default</tenancy><availabilityZone>us-east-1a</availabilityZone></placement><monitoring><state>disabled</state></monitoring><subnetId>subnet-97eae933bc5eebba7</subnetId><vpcId>vpc-534b0e12c3dd083bc</vpcId><privateIpAddress>10.179.92.10</privateIpAddress></item></instancesSet><requestId>request-id</requestId></RunInstancesResponse>"#
}

/// The environment `ScalerRuntime.start` reads, for one EC2 pool behind `CannedHTTPClient`.
public enum BenchEnvironment {
    public static let webhookSecret = "bench-webhook-secret"

    public static func ec2(privateKeyPEM: String, maxRunners: Int = 100000) -> [String: String] {
        [
            "GITHUB_WEBHOOK_SECRET": webhookSecret,
            "GITHUB_APP_ID": "123456",
            "GITHUB_APP_PRIVATE_KEY": privateKeyPEM,
            // Never resolved: CannedHTTPClient answers before any connection.
            "GITHUB_API_URL": "http://github.bench.invalid",
            "AWS_ENDPOINT_URL_EC2": "http://ec2.bench.invalid",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION": "us-east-1",
            "RUNNER_SCALER_CONFIG": """
            runnerNamePrefix: rs
            pools:
              - name: linux-x64
                labels: [self-hosted, linux, x64]
                maxRunners: \(maxRunners)
                scope: org
                allow:
                  owners: [octo-org]
                provider: ec2
                ec2:
                  region: us-east-1
                  imageId: ami-03cf127a
                  instanceTypes: [t3.micro]
                  subnetIds: [subnet-97eae933bc5eebba7]
                  securityGroupIds: [sg-f0c9f392b376585bb]
            """,
        ]
    }
}
