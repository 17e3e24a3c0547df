import Foundation
import Logging
import Testing
@testable import RunnerScaler

@Suite("EC2 provider against moto")
struct EC2ProviderMotoTests {
    typealias F = EC2TestFixtures
    let deadline = Deadline.after(.seconds(60))

    func launched(_ outcome: LaunchOutcome) throws -> RunnerHost {
        guard case let .launched(host) = outcome else { throw PeerError("expected a launch, got \(outcome)") }
        return host
    }

    @Test("Launch starts one instance tagged, with its volume, with exactly the host's tags")
    func launchTags() async throws {
        let moto = try await MotoServer.shared.value
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro"], volumeSizeGiB: 30))
        let spec = F.spec(pool)
        let host = try launched(try await moto.provider().launch(spec))
        #expect(host.id.hasPrefix("i-"))
        #expect(host.runnerName == spec.runnerName)
        #expect(host.pool == pool.name)
        #expect(host.jobID == 4242)

        let expected = Dictionary(uniqueKeysWithValues: spec.tags.map { ($0.key, $0.value) })
        #expect(Set(expected.keys) == [HostTags.managedBy, HostTags.pool, HostTags.runnerName, HostTags.name,
                                       HostTags.jobID, HostTags.runID, HostTags.repository])
        let instance = try await F.rawInstance(moto, host.id)
        #expect(F.tags(instance) == expected)
        #expect(instance?.string("instanceType") == "t3.micro")

        let volumes = try await moto.ec2Query("DescribeVolumes", ["Filter.1.Name": "attachment.instance-id",
                                                                  "Filter.1.Value.1": host.id]).items("volumeSet")
        #expect(!volumes.isEmpty)
        for volume in volumes { #expect(F.tags(volume) == expected) }
        #expect(volumes.contains { $0.string("size") == "30" })
    }

    @Test("User data, IMDSv2-only metadata options and terminate-on-shutdown reach the instance")
    func launchSettings() async throws {
        let moto = try await MotoServer.shared.value
        let host = try launched(try await moto.provider().launch(F.spec(F.pool())))
        let userData = try await moto.ec2Query("DescribeInstanceAttribute", ["InstanceId": host.id, "Attribute": "userData"])
        let encoded = try #require(userData.child("userData")?.string("value"))
        #expect(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } == F.userData)

        let shutdown = try await moto.ec2Query("DescribeInstanceAttribute",
                                               ["InstanceId": host.id, "Attribute": "instanceInitiatedShutdownBehavior"])
        #expect(shutdown.child("instanceInitiatedShutdownBehavior")?.string("value") == "terminate")

        let metadata = try await F.rawInstance(moto, host.id)?.child("metadataOptions")
        #expect(metadata?.string("httpTokens") == "required")
        #expect(metadata?.string("httpEndpoint") == "enabled")
    }

    @Test("The instance carries the ClientToken derived from pool, job and run attempt")
    func clientTokenOnInstance() async throws {
        let moto = try await MotoServer.shared.value
        let spec = F.spec(F.pool(), job: 77, attempt: 2)
        let host = try launched(try await moto.provider().launch(spec))
        let token = try await F.rawInstance(moto, host.id)?.string("clientToken")
        #expect(token == EC2ClientToken.make(for: spec))
        #expect(token == EC2ClientToken.make(for: F.spec(spec.pool, job: 77, attempt: 2)))
    }

    @Test("list returns the pool's live hosts of this deployment; find narrows them to one runner name")
    func listAndFind() async throws {
        let moto = try await MotoServer.shared.value
        let provider = moto.provider()
        let pool = F.pool()
        let other = F.pool()
        let a = try launched(try await provider.launch(F.spec(pool, job: 1)))
        let b = try launched(try await provider.launch(F.spec(pool, job: 2)))
        _ = try await provider.launch(F.spec(other, job: 3))
        _ = try await moto.provider(managedBy: "other").launch(F.spec(pool, job: 4, managedBy: "other"))

        let listed = try await provider.list(pool: pool)
        #expect(Set(listed.map(\.id)) == [a.id, b.id])
        let first = try #require(listed.first { $0.id == a.id })
        #expect(first.runnerName == F.spec(pool, job: 1).runnerName)
        #expect(first.jobID == 1)
        #expect(first.pool == pool.name)
        #expect(first.state == .running || first.state == .pending)
        #expect(first.launchedAt != nil)

        let found = try await provider.find(runnerName: b.runnerName, pool: pool)
        #expect(found.map(\.id) == [b.id])
    }

    @Test("find(runnerNames:) asks once per 200 names, alive first, and returns only the named live hosts")
    func findManyNames() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient()
        let provider = moto.provider(http: http)
        let pool = F.pool()
        let a = try launched(try await provider.launch(F.spec(pool, job: 11)))
        let b = try launched(try await provider.launch(F.spec(pool, job: 12)))
        let c = try launched(try await provider.launch(F.spec(pool, job: 13)))
        _ = try await provider.launch(F.spec(pool, job: 14))
        _ = try await provider.terminate(c)
        let unknown = (0..<250).map { "rs-nobody-\($0)-1" }
        let names = [a.runnerName] + unknown + [b.runnerName, c.runnerName, a.runnerName]
        let found = try await provider.find(runnerNames: names, pool: pool)
        #expect(Set(found.map(\.id)) == [a.id, b.id])
        #expect(found.count == 2)

        let sent = http.requests(action: "DescribeInstances")
        #expect(sent.count == 2, "253 distinct names: one call for 200, one for 53")
        let first = try #require(sent.first)
        #expect(first.parameter("Filter.1.Name") == "instance-state-name")
        #expect(first.parameter("Filter.2.Name") == "tag:\(HostTags.runnerName)")
        #expect(first.parameter("Filter.2.Value.200") != nil)
        #expect(first.parameter("Filter.2.Value.201") == nil)
        #expect(first.parameter("MaxResults") == "1000")
        #expect(sent.last?.parameter("Filter.2.Value.53") != nil)
        #expect(sent.last?.parameter("Filter.2.Value.54") == nil)
    }

    @Test("find for a runner name no host has returns nothing")
    func findUnknown() async throws {
        let moto = try await MotoServer.shared.value
        #expect(try await moto.provider().find(runnerName: "rs-nobody-1-1", pool: F.pool()).isEmpty)
    }

    @Test("terminate ends the instance, which then drops out of list")
    func terminate() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient()
        let provider = moto.provider(http: http)
        let pool = F.pool()
        let host = try launched(try await provider.launch(F.spec(pool)))
        guard case let .terminated(gone) = try await provider.terminate(host) else {
            Issue.record("terminate did not terminate")
            return
        }
        #expect(gone.id == host.id)
        #expect(gone.state == .terminated || gone.state == .stopping)
        #expect(try await provider.list(pool: pool).isEmpty)
        let sent = try #require(http.requests(action: "TerminateInstances").first)
        #expect(sent.parameter("InstanceId.1") == host.id)
    }

    @Test("Terminating an instance EC2 does not know counts as already done")
    func terminateUnknownInstance() async throws {
        let moto = try await MotoServer.shared.value
        let ghost = RunnerHost(id: "i-0123456789abcdef0", runnerName: "rs-x-1-1", pool: "x", state: .running)
        guard case let .terminated(gone) = try await moto.provider().terminate(ghost) else {
            Issue.record("terminate did not report the host gone")
            return
        }
        #expect(gone.state == .terminated)
    }

    @Test("list asks for pages of 1000 and follows NextToken when there are more")
    func pagination() async throws {
        let moto = try await MotoServer.shared.value
        let pool = F.pool()
        let ec2 = moto.ec2()
        let tags = [EC2Tag(key: HostTags.managedBy, value: "rs"), EC2Tag(key: HostTags.pool, value: pool.name)]
        let total = 103
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in stride(from: 0, to: total, by: 8) {
                for i in batch..<min(batch + 8, total) {
                    group.addTask {
                        var request = EC2RunInstancesRequest(imageId: F.image, instanceType: "t3.micro",
                                                             tagSpecifications: [EC2TagSpecification(resourceType: "instance", tags: tags
                                                                 + [EC2Tag(key: HostTags.runnerName, value: "rs-\(pool.name)-\(i)-1")])])
                        request.clientToken = "page-\(pool.name)-\(i)"
                        _ = try await ec2.runInstances(request, deadline: .after(.seconds(60)))
                    }
                }
                try await group.waitForAll()
            }
        }
        let http = AWSFaultInjectingHTTPClient()
        let listed = try await moto.provider(http: http).list(pool: pool)
        #expect(listed.count == total)
        #expect(Set(listed.map(\.id)).count == total)
        let pages = http.requests(action: "DescribeInstances")
        #expect(pages.count == 1, "one page of up to 1000")
        #expect(pages.first?.parameter("MaxResults") == "1000")

        let small = AWSFaultInjectingHTTPClient()
        var paged = moto.provider(http: small)
        paged.pageSize = 40
        let again = try await paged.list(pool: pool)
        #expect(Set(again.map(\.id)) == Set(listed.map(\.id)))
        let smallPages = small.requests(action: "DescribeInstances")
        #expect(smallPages.count == 3, "103 hosts in pages of 40")
        #expect(smallPages.first?.parameter("NextToken") == nil)
        #expect(smallPages.dropFirst().allSatisfy { $0.parameter("NextToken") != nil })
        #expect(smallPages.allSatisfy { $0.parameter("MaxResults") == "40" })
        #expect(smallPages.last?.parameter("Filter.1.Name") == "instance-state-name")
        #expect(smallPages.last?.parameter("Filter.2.Name") == "tag:runner-scaler:pool")
        #expect(smallPages.last?.parameter("Filter.3.Name") == "tag:runner-scaler:managed-by")
    }

    @Test("On capacity errors the next instance type is tried, then the next subnet, with one ClientToken")
    func placementFallback() async throws {
        let moto = try await MotoServer.shared.value
        let subnets = Array(try await moto.defaultSubnets().prefix(2))
        try #require(subnets.count == 2)
        let refused: [String: String] = ["t3.micro@\(subnets[0])": "InsufficientInstanceCapacity",
                                         "t3.small@\(subnets[0])": "Unsupported",
                                         "t3.micro@\(subnets[1])": "InstanceLimitExceeded"]
        let http = AWSFaultInjectingHTTPClient { request, _ in
            guard request.action == "RunInstances",
                  let code = refused["\(request.parameter("InstanceType") ?? "")@\(request.parameter("SubnetId") ?? "")"]
            else { return nil }
            return AWSFaultInjectingHTTPClient.ec2Error(code, status: code == "InsufficientInstanceCapacity" ? 500 : 400)
        }
        let sleeper = RecordingSleeper()
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro", "t3.small"], subnetIDs: subnets))
        let host = try launched(try await moto.provider(http: http, sleeper: sleeper).launch(F.spec(pool)))

        let attempts = http.requests(action: "RunInstances")
        #expect(attempts.map { "\($0.parameter("InstanceType")!)@\($0.parameter("SubnetId")!)" } == [
            "t3.micro@\(subnets[0])", "t3.small@\(subnets[0])", "t3.micro@\(subnets[1])", "t3.small@\(subnets[1])",
        ])
        #expect(Set(attempts.compactMap { $0.parameter("ClientToken") }).count == 1)
        #expect(sleeper.waits.isEmpty)
        let instance = try await F.rawInstance(moto, host.id)
        #expect(instance?.string("instanceType") == "t3.small")
        #expect(instance?.string("subnetId") == subnets[1])
    }

    @Test("When every placement lacks capacity, the error lists each one tried")
    func noCapacityAnywhere() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient { request, _ in
            request.action == "RunInstances" ? AWSFaultInjectingHTTPClient.ec2Error("InsufficientInstanceCapacity", status: 500) : nil
        }
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro", "t3.small"]))
        do {
            _ = try await moto.provider(http: http).launch(F.spec(pool))
            Issue.record("launched without capacity")
        } catch let error as EC2ProviderError {
            guard case let .noCapacity(_, _, tried) = error else { throw error }
            #expect(tried == ["t3.micro in default subnet: InsufficientInstanceCapacity",
                              "t3.small in default subnet: InsufficientInstanceCapacity"])
            #expect(error.description.contains("Add instance types or subnets"))
        }
    }

    @Test("RequestLimitExceeded on RunInstances is backed off and the same placement retried")
    func throttledLaunch() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient { request, earlier in
            request.action == "RunInstances" && earlier < 2
                ? AWSFaultInjectingHTTPClient.ec2Error("RequestLimitExceeded", status: 503) : nil
        }
        let sleeper = RecordingSleeper()
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro", "t3.small"]))
        _ = try launched(try await moto.provider(http: http, sleeper: sleeper).launch(F.spec(pool)))
        let attempts = http.requests(action: "RunInstances")
        #expect(attempts.map { $0.parameter("InstanceType") } == ["t3.micro", "t3.micro", "t3.micro"])
        #expect(sleeper.waits.count == 2)
        #expect(sleeper.waits[1] > sleeper.waits[0])
    }

    @Test("When EC2 says the token was used with other parameters, the instance already launched is reported")
    func idempotentParameterMismatch() async throws {
        let moto = try await MotoServer.shared.value
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro", "t3.small"]))
        let first = try launched(try await moto.provider().launch(F.spec(pool)))
        // Real EC2's answer to a racing duplicate whose attempt differs (another instance type
        // or subnet) from the one that already succeeded with the same ClientToken.
        let http = AWSFaultInjectingHTTPClient { request, _ in
            request.action == "RunInstances"
                ? AWSFaultInjectingHTTPClient.ec2Error("IdempotentParameterMismatch", status: 400) : nil
        }
        let outcome = try await moto.provider(http: http).launch(F.spec(pool))
        #expect(outcome == .alreadyExists(try #require(try await moto.provider().list(pool: pool).first { $0.id == first.id })))
        #expect(http.requests(action: "RunInstances").count == 1)
    }

    @Test("Spot is asked for first; on spot capacity errors the launch falls back to on-demand")
    func spotFallback() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient { request, _ in
            request.action == "RunInstances" && request.parameter("InstanceMarketOptions.MarketType") == "spot"
                ? AWSFaultInjectingHTTPClient.ec2Error("InsufficientInstanceCapacity", status: 500) : nil
        }
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro"], spot: true,
                                                    spotMaxPrice: "0.05"))
        let host = try launched(try await moto.provider(http: http).launch(F.spec(pool)))
        let attempts = http.requests(action: "RunInstances")
        #expect(attempts.count == 2)
        #expect(attempts[0].parameter("InstanceMarketOptions.SpotOptions.MaxPrice") == "0.05")
        #expect(attempts[1].parameter("InstanceMarketOptions.MarketType") == nil)
        #expect(try await F.rawInstance(moto, host.id)?.string("instanceLifecycle") == nil)
    }

    @Test("A spot launch that succeeds starts a spot instance")
    func spotLaunch() async throws {
        let moto = try await MotoServer.shared.value
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro"], spot: true))
        let host = try launched(try await moto.provider().launch(F.spec(pool)))
        #expect(try await F.rawInstance(moto, host.id)?.string("instanceLifecycle") == "spot")
    }

    @Test("Without on-demand fallback, a spot capacity failure is the launch's error")
    func spotWithoutFallback() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient { request, _ in
            request.action == "RunInstances" ? AWSFaultInjectingHTTPClient.ec2Error("InsufficientInstanceCapacity", status: 500) : nil
        }
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro"], spot: true,
                                                    spotFallbackToOnDemand: false))
        await #expect(throws: EC2ProviderError.self) { try await moto.provider(http: http).launch(F.spec(pool)) }
        #expect(http.requests(action: "RunInstances").count == 1)
    }

    @Test("A refusal another placement cannot fix ends the launch at once, without secrets in the message")
    func rejectedLaunch() async throws {
        let moto = try await MotoServer.shared.value
        let http = AWSFaultInjectingHTTPClient { request, _ in
            request.action == "RunInstances"
                ? AWSFaultInjectingHTTPClient.ec2Error("InvalidAMIID.NotFound", status: 400, message: "The image id does not exist")
                : nil
        }
        let pool = F.pool(settings: EC2PoolSettings(imageID: F.image, instanceTypes: ["t3.micro", "t3.small"]))
        do {
            _ = try await moto.provider(http: http).launch(F.spec(pool))
            Issue.record("launched with a refused image")
        } catch let error as EC2ProviderError {
            guard case let .launchRejected(_, _, ec2Error, _) = error else { throw error }
            #expect(ec2Error.code == "InvalidAMIID.NotFound")
            let text = "\(error)" + String(reflecting: error)
            #expect(text.contains(pool.name))
            #expect(!text.contains("JITCONFIG-SECRET-VALUE"))
            #expect(!text.contains(moto.credentials.secretAccessKey.exposedValue))
        }
        #expect(http.requests(action: "RunInstances").count == 1)
    }

    @Test("A provider built for the scaler signs with the standard chain's credentials from the environment")
    func builtFromContext() async throws {
        let moto = try await MotoServer.shared.value
        let pool = F.pool()
        var env = moto.environment
        env["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey.exposedValue
        env["HOME"] = "/nonexistent"
        let context = ProviderContext(environment: env, http: CurlHTTPClient(), secrets: StandardSecretResolver(),
                                      logger: .init(label: "test"), dryRun: false, managedBy: "rs")
        let set = try await ProviderSet.make(for: ScalerConfig(pools: [pool]), context: context)
        let provider = set.provider(for: pool)
        #expect(provider.kind == "ec2")
        let host = try launched(try await provider.launch(F.spec(pool)))
        #expect(try await provider.list(pool: pool).map(\.id) == [host.id])
    }
}
