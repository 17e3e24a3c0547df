import Foundation
@testable import RunnerScaler

/// Pools, jobs and specs for the EC2 provider tests. Each test uses its own pool name, so
/// tests sharing one moto never see each other's instances.
enum EC2TestFixtures {
    static let image = "ami-12c6146b"
    static let userData = "#!/bin/bash\n# jit: JITCONFIG-SECRET-VALUE\nexec ./run.sh --jitconfig \"$JIT\"\n"

    static func poolName(_ stem: String = "p") -> String {
        "\(stem)-" + UUID().uuidString.prefix(8).lowercased()
    }

    static func pool(_ name: String = poolName(), settings: EC2PoolSettings = EC2PoolSettings(
        imageID: image, instanceTypes: ["t3.micro"])) -> PoolConfig {
        PoolConfig(name: name, labels: ["self-hosted", "linux"], provider: .ec2(settings))
    }

    static func job(_ id: Int64, attempt: Int = 1) -> JobReference {
        JobReference(id: id, runID: 9000 + id, runAttempt: attempt, repository: "octo-org/app", owner: "octo-org",
                     labels: ["self-hosted", "linux"])
    }

    static func spec(_ pool: PoolConfig, job id: Int64 = 4242, attempt: Int = 1, managedBy: String = "rs") -> HostSpec {
        let job = job(id, attempt: attempt)
        return HostSpec(runnerName: RunnerNaming.runnerName(prefix: managedBy, pool: pool.name, job: job), pool: pool,
                        job: job, userData: Secret(userData), managedBy: managedBy)
    }

    /// The first instance's element in a raw `DescribeInstances` answer.
    static func rawInstance(_ moto: MotoServer, _ id: String) async throws -> AWSXMLElement? {
        try await moto.ec2Query("DescribeInstances", ["InstanceId.1": id]).items("reservationSet").first?
            .items("instancesSet").first
    }

    static func tags(_ element: AWSXMLElement?) -> [String: String] {
        Dictionary((element?.items("tagSet") ?? []).map { ($0.string("key") ?? "", $0.string("value") ?? "") }) { a, _ in a }
    }
}
