import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("EC2 Query serialisation")
    struct AWSQuerySerializerTests {
        @Test("Form encoding leaves only RFC 3986 unreserved characters, writes a space as + and UTF-8 as %XX")
        func formEncoding() {
            #expect(AWSPercentEncoding.formEncode("runner 42 (äöü/+=&)") == "runner+42+%28%C3%A4%C3%B6%C3%BC%2F%2B%3D%26%29")
            #expect(AWSPercentEncoding.formEncode("-._~AZaz09") == "-._~AZaz09")
            #expect(AWSPercentEncoding.formEncode("") == "")
            #expect(AWSPercentEncoding.uriEncode("a b/c") == "a%20b%2Fc")
            #expect(AWSPercentEncoding.uriEncode("a b/c", keepingSlashes: true) == "a%20b/c")
            #expect(AWSPercentEncoding.decode("%E1%88%B4+x") == "ሴ+x")
            #expect(AWSPercentEncoding.decode("%E1%8") == nil)
        }

        @Test("Action and Version come first, then the parameters in order")
        func envelope() {
            let body = AWSQuerySerializer.body(action: "DescribeInstances", version: EC2API.version,
                                               parameters: [("MaxResults", "5")])
            #expect(body == "Action=DescribeInstances&Version=2016-11-15&MaxResults=5")
            let request = EC2TerminateInstancesRequest(instanceIds: ["i-1"]).awsRequest(host: EC2API.host(region: "eu-west-1"))
            #expect(request.method == "POST")
            #expect(request.path == "/")
            #expect(request.host == "ec2.eu-west-1.amazonaws.com")
            #expect(request.header("content-type") == "application/x-www-form-urlencoded; charset=utf-8")
        }

        @Test("Launch templates, block devices, spot options and IMDS options use the service model's member names")
        func nestedMembers() {
            let request = EC2RunInstancesRequest(
                minCount: 1, maxCount: 2,
                launchTemplate: .init(.name("runners"), version: "$Latest"),
                iamInstanceProfile: .arn("arn:aws:iam::1:instance-profile/r"),
                blockDeviceMappings: [.init(deviceName: "/dev/xvda",
                                            ebs: .init(volumeSize: 100, volumeType: "gp3", deleteOnTermination: true,
                                                       encrypted: false))],
                instanceMarketOptions: .init(spotMaxPrice: "0.05"),
                metadataOptions: .init(httpTokens: "required", httpPutResponseHopLimit: 2),
                dryRun: true)
            let params = request.queryParameters.map { "\($0.0)=\($0.1)" }
            #expect(params == [
                "MinCount=1", "MaxCount=2",
                "LaunchTemplate.LaunchTemplateName=runners", "LaunchTemplate.Version=$Latest",
                "IamInstanceProfile.Arn=arn:aws:iam::1:instance-profile/r",
                "BlockDeviceMapping.1.DeviceName=/dev/xvda",
                "BlockDeviceMapping.1.Ebs.DeleteOnTermination=true",
                "BlockDeviceMapping.1.Ebs.VolumeSize=100",
                "BlockDeviceMapping.1.Ebs.VolumeType=gp3",
                "BlockDeviceMapping.1.Ebs.Encrypted=false",
                "InstanceMarketOptions.MarketType=spot",
                "InstanceMarketOptions.SpotOptions.MaxPrice=0.05",
                "MetadataOptions.HttpTokens=required",
                "MetadataOptions.HttpPutResponseHopLimit=2",
                "DryRun=true",
            ])
            let byID = EC2RunInstancesRequest(launchTemplate: .init(.id("lt-0abc"))).queryParameters.map(\.0)
            #expect(byID.contains("LaunchTemplate.LaunchTemplateId"))
            #expect(!byID.contains("LaunchTemplate.Version"))
        }

        @Test("User data is sent base64-encoded, as botocore's RunInstances handler does")
        func userDataIsBase64() {
            let request = EC2RunInstancesRequest(userData: Secret("#!/bin/sh\necho hi\n"))
            let value = request.queryParameters.first { $0.0 == "UserData" }?.1
            #expect(value == "IyEvYmluL3NoCmVjaG8gaGkK")
            #expect(!String(describing: request).contains("echo hi"))
        }

        @Test("Filter values are numbered per filter, and filter helpers build EC2's filter names")
        func filters() {
            let request = EC2DescribeInstancesRequest(filters: [
                .tag("gha:pool", "linux"), .instanceStateName("pending", "running"), .tagKey("gha:job-id"),
            ])
            #expect(request.formBody == "Action=DescribeInstances&Version=2016-11-15"
                + "&Filter.1.Name=tag%3Agha%3Apool&Filter.1.Value.1=linux"
                + "&Filter.2.Name=instance-state-name&Filter.2.Value.1=pending&Filter.2.Value.2=running"
                + "&Filter.3.Name=tag-key&Filter.3.Value.1=gha%3Ajob-id")
            #expect(request.page(after: "t/+=").formBody.hasSuffix("&NextToken=t%2F%2B%3D"))
        }
    }
}
