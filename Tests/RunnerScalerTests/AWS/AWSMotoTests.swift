import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    /// Our signer and clients against moto, which checks every signature after the first
    /// few calls (see `MotoServer`).
    @Suite("AWS clients against moto")
    struct AWSMotoTests {
        @Test("moto accepts requests signed with the IAM user's key")
        func signedRequestsAccepted() async throws {
            let moto = try await MotoServer.shared.value
            let instances = try await moto.ec2().describeInstances(
                EC2DescribeInstancesRequest(filters: [.tag(HostTags.pool, "no-such-pool")]), deadline: .after(.seconds(30)))
            #expect(instances.isEmpty)
        }

        @Test("A request signed with a wrong secret is refused with AuthFailure")
        func wrongSecretRefused() async throws {
            let moto = try await MotoServer.shared.value
            var wrong = moto.credentials
            wrong.secretAccessKey = Secret("not-the-secret")
            let ec2 = EC2Client(service: moto.client(.ec2, credentials: wrong))
            do {
                _ = try await ec2.describeInstancesPage(EC2DescribeInstancesRequest(), deadline: .after(.seconds(30)))
                Issue.record("moto accepted a bad signature")
            } catch let error as EC2Error {
                #expect(error.code == "AuthFailure")
                #expect(error.httpStatus == 401)
                #expect(!error.description.contains("not-the-secret"))
            }
        }

        @Test("A JSON-protocol request with a wrong secret is refused too")
        func wrongSecretRefusedJSON() async throws {
            let moto = try await MotoServer.shared.value
            var wrong = moto.credentials
            wrong.secretAccessKey = Secret("not-the-secret")
            let ssm = AWSJSONClient(service: moto.client(.ssm, credentials: wrong))
            await #expect(throws: AWSJSONError.self) {
                try await ssm.getParameter(SSMGetParameterRequest(name: "/anything"), deadline: .after(.seconds(30)))
            }
        }

        @Test("RequestLimitExceeded is retried with growing backoff until EC2 accepts")
        func throttlingRetried() async throws {
            let moto = try await MotoServer.shared.value
            let http = AWSFaultInjectingHTTPClient { request, earlier in
                request.action == "DescribeInstances" && earlier < 2
                    ? AWSFaultInjectingHTTPClient.ec2Error("RequestLimitExceeded", status: 503) : nil
            }
            let sleeper = RecordingSleeper()
            let ec2 = EC2Client(service: moto.client(.ec2, http: http, sleeper: sleeper))
            _ = try await ec2.describeInstances(EC2DescribeInstancesRequest(), deadline: .after(.seconds(30)))
            #expect(http.requests(action: "DescribeInstances").count == 3)
            #expect(sleeper.waits.count == 2)
            #expect(sleeper.waits[1] > sleeper.waits[0])
        }

        @Test("Capacity errors come back at once, unretried, as EC2 sent them")
        func capacityNotRetried() async throws {
            let moto = try await MotoServer.shared.value
            let http = AWSFaultInjectingHTTPClient { request, _ in
                request.action == "RunInstances"
                    ? AWSFaultInjectingHTTPClient.ec2Error("InsufficientInstanceCapacity", status: 500) : nil
            }
            let sleeper = RecordingSleeper()
            let ec2 = EC2Client(service: moto.client(.ec2, http: http, sleeper: sleeper))
            do {
                _ = try await ec2.runInstances(EC2RunInstancesRequest(imageId: "ami-12c6146b", instanceType: "t3.micro"),
                                               deadline: .after(.seconds(30)))
                Issue.record("launched despite the injected capacity error")
            } catch let error as EC2Error {
                #expect(error.code == "InsufficientInstanceCapacity")
                #expect(error.disposition == .tryOtherPlacement)
            }
            #expect(http.requests(action: "RunInstances").count == 1)
            #expect(sleeper.waits.isEmpty)
        }

        @Test("A 5xx without an error document is retried as well")
        func bare5xxRetried() async throws {
            let moto = try await MotoServer.shared.value
            let http = AWSFaultInjectingHTTPClient { request, earlier in
                request.action == "DescribeInstances" && earlier == 0 ? HTTPResponse(status: 502) : nil
            }
            let ec2 = EC2Client(service: moto.client(.ec2, http: http, sleeper: RecordingSleeper()))
            _ = try await ec2.describeInstancesPage(EC2DescribeInstancesRequest(), deadline: .after(.seconds(30)))
            #expect(http.requests(action: "DescribeInstances").count == 2)
        }

        @Test("Requests carry the signed Host of the endpoint override and a current X-Amz-Date")
        func signedHeaders() async throws {
            let moto = try await MotoServer.shared.value
            let http = AWSFaultInjectingHTTPClient()
            _ = try await EC2Client(service: moto.client(.ec2, http: http))
                .describeInstancesPage(EC2DescribeInstancesRequest(), deadline: .after(.seconds(30)))
            let sent = try #require(http.requests.first)
            #expect(sent.url == moto.baseURL + "/")
            #expect(sent.headers["host"] == String(moto.baseURL.dropFirst("http://".count)))
            #expect(sent.headers["authorization"]?.contains("/us-east-1/ec2/aws4_request") == true)
            #expect(sent.headers["x-amz-date"] != nil)
        }
    }
}
