import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    /// botocore's recorded EC2 responses (2014-06-15 namespace) against botocore's own parsed
    /// form, and moto's output (2016-11-15 namespace).
    @Suite("EC2 XML responses")
    struct EC2ResponseParsingTests {
        static let botocore = "aws/ec2/responses/botocore"
        static let moto = "aws/ec2/responses/moto"

        func xml(_ path: String) throws -> [UInt8] { Array(try Conformance.data(path)) }

        func parsed(_ name: String) throws -> [String: Any] {
            try #require(try Conformance.json("\(Self.botocore)/\(name).json") as? [String: Any])
        }

        /// An independent reading of EC2's timestamps, to check ours against.
        func iso8601(_ text: String) -> Date? {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text)
        }

        /// Every modelled field equals botocore's parsed value, and is nil where botocore has none.
        func expect(_ instance: EC2Instance, matches json: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(instance.instanceId == json["InstanceId"] as? String, sourceLocation: sourceLocation)
            #expect(instance.imageId == json["ImageId"] as? String, sourceLocation: sourceLocation)
            #expect(instance.instanceType == json["InstanceType"] as? String, sourceLocation: sourceLocation)
            let state = json["State"] as? [String: Any]
            #expect(instance.state?.code == state?["Code"] as? Int, sourceLocation: sourceLocation)
            #expect(instance.state?.name == state?["Name"] as? String, sourceLocation: sourceLocation)
            #expect(instance.launchTime == (json["LaunchTime"] as? String).flatMap(iso8601), sourceLocation: sourceLocation)
            #expect(instance.launchTime != nil, sourceLocation: sourceLocation)
            #expect(instance.privateIpAddress == json["PrivateIpAddress"] as? String, sourceLocation: sourceLocation)
            #expect(instance.publicIpAddress == json["PublicIpAddress"] as? String, sourceLocation: sourceLocation)
            #expect(instance.subnetId == json["SubnetId"] as? String, sourceLocation: sourceLocation)
            #expect(instance.vpcId == json["VpcId"] as? String, sourceLocation: sourceLocation)
            #expect(instance.availabilityZone == (json["Placement"] as? [String: Any])?["AvailabilityZone"] as? String,
                    sourceLocation: sourceLocation)
            #expect(instance.keyName == json["KeyName"] as? String, sourceLocation: sourceLocation)
            #expect(instance.clientToken == json["ClientToken"] as? String, sourceLocation: sourceLocation)
            let tags = (json["Tags"] as? [[String: String]] ?? []).map { EC2Tag(key: $0["Key"]!, value: $0["Value"]!) }
            #expect(instance.tags == tags, sourceLocation: sourceLocation)
        }

        func requestID(_ json: [String: Any]) -> String? {
            (json["ResponseMetadata"] as? [String: Any])?["RequestId"] as? String
        }

        // MARK: botocore fixtures

        @Test("botocore's RunInstances response reads as its parsed form")
        func botocoreRunInstances() throws {
            let response = try EC2RunInstancesResponse(xml: try xml("\(Self.botocore)/ec2-run-instances.xml"))
            let json = try parsed("ec2-run-instances")
            #expect(response.requestID == requestID(json))
            #expect(response.reservation.reservationId == json["ReservationId"] as? String)
            #expect(response.reservation.ownerId == json["OwnerId"] as? String)
            let instances = try #require(json["Instances"] as? [[String: Any]])
            try #require(response.instances.count == instances.count)
            for (mine, theirs) in zip(response.instances, instances) { expect(mine, matches: theirs) }
        }

        @Test("botocore's DescribeInstances response reads as its parsed form, reservation by reservation")
        func botocoreDescribeInstances() throws {
            let response = try EC2DescribeInstancesResponse(xml: try xml("\(Self.botocore)/ec2-describe-instances.xml"))
            let json = try parsed("ec2-describe-instances")
            #expect(response.requestID == requestID(json))
            #expect(response.nextToken == nil)
            let reservations = try #require(json["Reservations"] as? [[String: Any]])
            try #require(response.reservations.count == reservations.count)
            for (mine, theirs) in zip(response.reservations, reservations) {
                #expect(mine.reservationId == theirs["ReservationId"] as? String)
                #expect(mine.ownerId == theirs["OwnerId"] as? String)
                let instances = try #require(theirs["Instances"] as? [[String: Any]])
                try #require(mine.instances.count == instances.count)
                for (instance, expected) in zip(mine.instances, instances) { expect(instance, matches: expected) }
            }
            // An empty <value/> is an empty tag value, not a missing one.
            #expect(response.instances[0].tag("notebook") == "")
            #expect(response.instances[0].state?.isLive == false)
            #expect(response.instances[1].state?.isLive == true)
        }

        @Test("botocore's Stop/StartInstances responses, shaped like TerminateInstances, read as their parsed forms",
              arguments: [("ec2-stop-instances", "StoppingInstances"), ("ec2-start-instances", "StartingInstances")])
        func botocoreStateChanges(_ name: String, _ key: String) throws {
            let response = try EC2TerminateInstancesResponse(xml: try xml("\(Self.botocore)/\(name).xml"))
            let json = try parsed(name)
            #expect(response.requestID == requestID(json))
            let changes = try #require(json[key] as? [[String: Any]])
            try #require(response.instances.count == changes.count)
            for (mine, theirs) in zip(response.instances, changes) {
                let current = try #require(theirs["CurrentState"] as? [String: Any])
                let previous = try #require(theirs["PreviousState"] as? [String: Any])
                #expect(mine.instanceId == theirs["InstanceId"] as? String)
                #expect(mine.currentState == EC2InstanceState(code: current["Code"] as! Int, name: current["Name"] as! String))
                #expect(mine.previousState == EC2InstanceState(code: previous["Code"] as! Int, name: previous["Name"] as! String))
            }
        }

        @Test("The namespace-agnostic element tree reads botocore's DescribeTags and DescribeInstanceStatus fixtures")
        func botocoreOtherOperations() throws {
            let tags = try AWSXMLElement.parse(try xml("\(Self.botocore)/ec2-describe-tags.xml"))
            let tagsJSON = try parsed("ec2-describe-tags")
            #expect(tags.name == "DescribeTagsResponse")
            #expect(tags.string("requestId") == requestID(tagsJSON))
            let expectedTags = try #require(tagsJSON["Tags"] as? [[String: String]])
            #expect(tags.items("tagSet").map { [
                "Key": $0.string("key")!, "Value": $0.string("value")!,
                "ResourceId": $0.string("resourceId")!, "ResourceType": $0.string("resourceType")!,
            ] } == expectedTags)

            let status = try AWSXMLElement.parse(try xml("\(Self.botocore)/ec2-describe-instance-status.xml"))
            let statusJSON = try parsed("ec2-describe-instance-status")
            #expect(status.string("requestId") == requestID(statusJSON))
            let expected = try #require(statusJSON["InstanceStatuses"] as? [[String: Any]])
            let items = status.items("instanceStatusSet")
            try #require(items.count == expected.count)
            for (item, theirs) in zip(items, expected) {
                #expect(item.string("instanceId") == theirs["InstanceId"] as? String)
                let state = theirs["InstanceState"] as? [String: Any]
                #expect(EC2InstanceState(item.child("instanceState"))
                    == EC2InstanceState(code: state?["Code"] as! Int, name: state?["Name"] as! String))
            }

            // And they are refused by the parsers of other operations rather than misread.
            #expect(throws: AWSResponseError.self) {
                try EC2DescribeInstancesResponse(xml: try xml("\(Self.botocore)/ec2-describe-tags.xml"))
            }
            #expect(throws: AWSResponseError.self) {
                try EC2RunInstancesResponse(xml: try xml("\(Self.botocore)/ec2-describe-instance-status.xml"))
            }
        }

        @Test("botocore's error fixture reads as its parsed code, message and request ID, and success parsers throw it")
        func botocoreError() throws {
            let body = try xml("\(Self.botocore)/error-ec2-describe-instances.xml")
            let json = try parsed("error-ec2-describe-instances")
            let expected = try #require(json["Error"] as? [String: String])
            let error = EC2Error.parse(httpStatus: 400, body: body)
            #expect(error.code == expected["Code"])
            #expect(error.message == expected["Message"])
            #expect(error.requestID == requestID(json))
            #expect(error.disposition == .clientError)
            #expect(throws: EC2Error(code: expected["Code"]!, message: expected["Message"]!, requestID: requestID(json))) {
                try EC2DescribeInstancesResponse(xml: body)
            }
        }

        // MARK: moto fixtures

        @Test("moto's RunInstances response gives the new instance, pending, with its tags")
        func motoRunInstances() throws {
            let response = try EC2RunInstancesResponse(xml: try xml("\(Self.moto)/RunInstances.xml"))
            #expect(response.requestID == "request-id")
            #expect(response.reservation.reservationId == "r-f0579380d19119348")
            #expect(response.reservation.ownerId == "123456789012")
            let instance = try #require(response.instances.first)
            #expect(response.instances.count == 1)
            #expect(instance == EC2Instance(
                instanceId: "i-4f95b4220ebd99d98", imageId: "ami-03cf127a", instanceType: "t3.micro",
                state: EC2InstanceState(code: 0, name: "pending"),
                launchTime: iso8601("2026-11-22T03:02:20.000Z"),
                privateIpAddress: "10.179.92.10", publicIpAddress: "54.214.252.40",
                subnetId: "subnet-97eae933bc5eebba7", vpcId: "vpc-534b0e12c3dd083bc", availabilityZone: "us-east-1a",
                clientToken: "runner-req-1",
                tags: [EC2Tag(key: "Name", value: "gha-runner"), EC2Tag(key: "gha:managed-by", value: "autoscaler")]))
        }

        @Test("moto's DescribeInstances response gives the running instance and its tagSet inside instancesSet")
        func motoDescribeInstances() throws {
            let response = try EC2DescribeInstancesResponse(xml: try xml("\(Self.moto)/DescribeInstances.xml"))
            #expect(response.reservations.count == 1)
            #expect(response.nextToken == nil)
            let instance = try #require(response.instances.first)
            #expect(instance.instanceId == "i-4f95b4220ebd99d98")
            #expect(instance.state == EC2InstanceState(code: 16, name: "running"))
            #expect(instance.launchTime == Date(timeIntervalSince1970: 1_795_316_540))
            #expect(instance.tag("gha:job-id") == "29679449")
            #expect(instance.tag("gha:managed-by") == "autoscaler")
            #expect(instance.tag("missing") == nil)
            // The nested networkInterfaceSet holds its own privateIpAddress; the instance's own wins.
            #expect(instance.privateIpAddress == "10.179.92.10")
        }

        @Test("An empty reservationSet is no instances and no next page")
        func motoDescribeInstancesEmpty() throws {
            let response = try EC2DescribeInstancesResponse(xml: try xml("\(Self.moto)/DescribeInstances-empty.xml"))
            #expect(response.reservations.isEmpty)
            #expect(response.instances.isEmpty)
            #expect(response.nextToken == nil)
            #expect(response.requestID == "request-id")
        }

        @Test("A nextToken element is returned for the next page")
        func nextToken() throws {
            let body = #"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet/><nextToken>eyJ2IjoiMiJ9</nextToken></DescribeInstancesResponse>"#
            #expect(try EC2DescribeInstancesResponse(xml: Array(body.utf8)).nextToken == "eyJ2IjoiMiJ9")
        }

        @Test("moto's TerminateInstances response gives shutting-down (32) after running (16)")
        func motoTerminateInstances() throws {
            let response = try EC2TerminateInstancesResponse(xml: try xml("\(Self.moto)/TerminateInstances.xml"))
            #expect(response.instances == [EC2InstanceStateChange(
                instanceId: "i-4f95b4220ebd99d98", currentState: EC2InstanceState(code: 32, name: "shutting-down"),
                previousState: EC2InstanceState(code: 16, name: "running"))])
        }

        @Test("CreateTags succeeds with moto's bare answer and with EC2's <return>true</return>, fails on false")
        func createTags() throws {
            let moto = try EC2CreateTagsResponse(xml: try xml("\(Self.moto)/CreateTags.xml"))
            #expect(moto == EC2CreateTagsResponse(requestID: "request-id", succeeded: true))
            let ec2 = #"<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>7a62c49f</requestId><return>true</return></CreateTagsResponse>"#
            #expect(try EC2CreateTagsResponse(xml: Array(ec2.utf8)).succeeded)
            let refused = ec2.replacingOccurrences(of: "<return>true</return>", with: "<return>false</return>")
            #expect(try EC2CreateTagsResponse(xml: Array(refused.utf8)).succeeded == false)
        }

        @Test("moto's InvalidInstanceID.NotFound bodies are not-found errors, thrown by the success parsers",
              arguments: ["DescribeInstances-error-InvalidInstanceID.NotFound", "TerminateInstances-error-InvalidInstanceID.NotFound"])
        func motoNotFound(_ name: String) throws {
            let body = try xml("\(Self.moto)/\(name).xml")
            let error = EC2Error.parse(httpStatus: 400, body: body)
            #expect(error.code == "InvalidInstanceID.NotFound")
            #expect(error.message == "The instance ID 'i-0123456789abcdef0' does not exist")
            #expect(error.requestID == "request-id")
            #expect(error.disposition == .notFound)
            #expect(throws: EC2Error.self) { try EC2TerminateInstancesResponse(xml: body) }
            #expect(throws: EC2Error.self) { try EC2DescribeInstancesResponse(xml: body) }
        }

        @Test("Bodies that are not XML are reported as malformed, without their contents")
        func malformed() {
            #expect(throws: AWSResponseError.self) { try EC2DescribeInstancesResponse(xml: Array("<html>oops".utf8)) }
            #expect(throws: AWSResponseError.self) { try EC2DescribeInstancesResponse(xml: [UInt8]()) }
            #expect(throws: AWSResponseError.missingElement("instanceId")) {
                try EC2TerminateInstancesResponse(xml: Array("<TerminateInstancesResponse><instancesSet><item/></instancesSet></TerminateInstancesResponse>".utf8))
            }
        }
    }
}
