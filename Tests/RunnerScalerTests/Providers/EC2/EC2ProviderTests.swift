import Foundation
import Logging
import Testing
@testable import RunnerScaler

@Suite("EC2 provider without AWS")
struct EC2ProviderTests {
    typealias F = EC2TestFixtures

    func provider(dryRun: Bool, http: any HTTPClient, pools: [PoolConfig] = []) -> EC2Provider {
        EC2Provider(environment: ["AWS_REGION": "eu-west-1", "HOME": "/nonexistent"],
                    credentials: StaticAWSCredentials(SigV4Credentials(accessKeyID: "AKIDDRY", secretAccessKey: Secret("dry-secret"))),
                    http: RetryingHTTPClient(base: http), managedBy: "rs", pools: pools, dryRun: dryRun)
    }

    @Test("The ClientToken is the same for every delivery of one job attempt and differs between attempts")
    func clientTokenDeterminism() {
        let pool = F.pool("linux")
        let token = EC2ClientToken.make(for: F.spec(pool, job: 5, attempt: 1))
        #expect(token == EC2ClientToken.make(for: F.spec(pool, job: 5, attempt: 1)))
        #expect(token != EC2ClientToken.make(for: F.spec(pool, job: 5, attempt: 2)))
        #expect(token != EC2ClientToken.make(for: F.spec(pool, job: 6, attempt: 1)))
        #expect(token != EC2ClientToken.make(for: F.spec(F.pool("other"), job: 5, attempt: 1)))
        #expect(token.count <= 64)
        #expect(token.utf8.allSatisfy { $0 < 128 })
    }

    @Test("Dry run sends nothing and shows the exact RunInstances parameters, user data as its size")
    func dryRunLaunch() async throws {
        let http = AWSFaultInjectingHTTPClient(base: ScriptedHTTPClient([.success(HTTPResponse(status: 500))]))
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["m7i.large", "m6i.large"],
                                                    subnetIDs: ["subnet-a"], securityGroupIDs: ["sg-1"],
                                                    instanceProfile: "runner-profile", volumeSizeGiB: 40))
        let spec = F.spec(pool)
        guard case let .planned(text) = try await provider(dryRun: true, http: http).launch(spec) else {
            Issue.record("dry run did not plan")
            return
        }
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ec2 RunInstances in eu-west-1 (https://ec2.eu-west-1.amazonaws.com)") == true)
        for line in ["Action=RunInstances", "Version=2016-11-15", "ImageId=\(F.image)", "InstanceType=m7i.large",
                     "MinCount=1", "MaxCount=1", "SubnetId=subnet-a", "SecurityGroupId.1=sg-1",
                     "ClientToken=\(EC2ClientToken.make(for: spec))",
                     "UserData=<redacted: \(F.userData.utf8.count) bytes>", "IamInstanceProfile.Name=runner-profile",
                     "InstanceInitiatedShutdownBehavior=terminate", "BlockDeviceMapping.1.DeviceName=/dev/xvda",
                     "BlockDeviceMapping.1.Ebs.VolumeSize=40", "BlockDeviceMapping.1.Ebs.DeleteOnTermination=true",
                     "MetadataOptions.HttpTokens=required", "MetadataOptions.HttpEndpoint=enabled",
                     "TagSpecification.1.ResourceType=instance", "TagSpecification.2.ResourceType=volume",
                     "TagSpecification.1.Tag.3.Key=runner-scaler:runner-name",
                     "TagSpecification.1.Tag.3.Value=\(spec.runnerName)"] {
            #expect(lines.contains(line), "missing \(line)")
        }
        #expect(lines.last == "# on capacity errors, then: m6i.large in subnet-a")
        #expect(!text.contains("JITCONFIG-SECRET-VALUE"))
        #expect(!text.contains(Data(F.userData.utf8).base64EncodedString()))
        #expect(http.requests.isEmpty)
    }

    @Test("Dry run terminate shows the TerminateInstances parameters; list is empty; nothing is sent")
    func dryRunTerminateAndList() async throws {
        let http = AWSFaultInjectingHTTPClient(base: ScriptedHTTPClient([.success(HTTPResponse(status: 500))]))
        let pool = F.pool()
        let provider = provider(dryRun: true, http: http, pools: [pool])
        #expect(try await provider.list(pool: pool).isEmpty)
        let hosts = try await provider.find(runnerName: "rs-\(pool.name)-1-1", pool: pool)
        guard let host = hosts.first, case let .planned(text) = try await provider.terminate(host) else {
            Issue.record("dry run did not plan a termination")
            return
        }
        #expect(text.contains("Action=TerminateInstances\nVersion=2016-11-15\nInstanceId.1="))
        #expect(text.contains("runner-scaler:runner-name=rs-\(pool.name)-1-1"))
        #expect(http.requests.isEmpty)
    }

    @Test("Launch template, instance profile ARN and market options are serialised as configured")
    func launchTemplateRequest() {
        let settings = EC2PoolSettings(
            launchTemplate: .init(id: nil, name: "runners", version: "$Latest"), subnetIDs: ["subnet-a", "subnet-b"],
            instanceProfile: "arn:aws:iam::123456789012:instance-profile/runner", spot: true)
        let plan = EC2LaunchPlan(spec: F.spec(F.pool(settings: settings)), settings: settings)
        #expect(plan.attempts.map(\.label) == ["template's instance type in subnet-a (spot)",
                                               "template's instance type in subnet-b (spot)",
                                               "template's instance type in subnet-a", "template's instance type in subnet-b"])
        let parameters = Dictionary(plan.attempts[0].request.queryParameters) { a, _ in a }
        #expect(parameters["LaunchTemplate.LaunchTemplateName"] == "runners")
        #expect(parameters["LaunchTemplate.Version"] == "$Latest")
        #expect(parameters["ImageId"] == nil)
        #expect(parameters["InstanceType"] == nil)
        #expect(parameters["IamInstanceProfile.Arn"] == "arn:aws:iam::123456789012:instance-profile/runner")
        #expect(parameters["InstanceMarketOptions.MarketType"] == "spot")
        #expect(parameters["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"] == "terminate")
        #expect(parameters["BlockDeviceMapping.1.DeviceName"] == nil)
        #expect(Set(plan.attempts.map(\.request.clientToken)).count == 1)
    }

    @Test("The tag keys are exactly the ones template.yaml's IAM policy allows at launch")
    func tagKeysMatchIAMPolicy() throws {
        let template = String(decoding: try Repo.data("template.yaml"), as: UTF8.self)
        let lines = template.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.contains("aws:TagKeys:") })
        let allowed = Set(lines[(start + 1)...].prefix { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- ") }
            .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(2).trimmingCharacters(in: .whitespaces) })
        let keys = Set(F.spec(F.pool()).tags.map(\.key))
        #expect(keys == allowed)
    }

    @Test("A pool of another provider kind is refused with a message naming it")
    func notEC2Pool() async throws {
        let pool = PoolConfig(name: "dry", labels: ["x"], provider: .dryRun)
        await #expect(throws: EC2ProviderError.notEC2Pool(pool: "dry", kind: "dry-run")) {
            try await provider(dryRun: false, http: CurlHTTPClient()).launch(F.spec(pool))
        }
    }

    @Test("Building the provider fails at startup when an ec2 pool has no region")
    func noRegionAtStartup() async throws {
        let context = ProviderContext(environment: ["HOME": "/nonexistent"], http: CurlHTTPClient(),
                                      secrets: StandardSecretResolver(), logger: .init(label: "test"), dryRun: false,
                                      managedBy: "rs")
        let pool = F.pool("noregion")
        do {
            _ = try await ProviderSet.make(for: ScalerConfig(pools: [pool]), context: context)
            Issue.record("built a provider without a region")
        } catch let error as EC2ProviderError {
            #expect(error == .noRegion(pool: pool.name))
            #expect(error.description.contains("AWS_REGION"))
        }
    }

    @Test("Instances map to hosts from their tags and state")
    func hostMapping() {
        let instance = EC2Instance(instanceId: "i-1", state: EC2InstanceState(code: 32, name: "shutting-down"),
                                   tags: [EC2Tag(key: HostTags.runnerName, value: "rs-p-9-1"), EC2Tag(key: HostTags.jobID, value: "9")])
        let host = RunnerHost(ec2Instance: instance, pool: "p")
        #expect(host == RunnerHost(id: "i-1", runnerName: "rs-p-9-1", pool: "p", jobID: 9, state: .stopping))
    }
}
