import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("AWS endpoints and regions")
    struct AWSEndpointTests {
        @Test("Without overrides, a service goes to its regional endpoint")
        func regional() throws {
            #expect(try AWSEndpoint.resolve(.ec2, region: "eu-west-1", environment: [:]).description
                == "https://ec2.eu-west-1.amazonaws.com")
            #expect(try AWSEndpoint.resolve(.secretsManager, region: "us-east-2", environment: [:]).host
                == "secretsmanager.us-east-2.amazonaws.com")
            #expect(try AWSEndpoint.resolve(.ssm, region: "cn-north-1", environment: [:]).host == "ssm.cn-north-1.amazonaws.com.cn")
        }

        @Test("AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL, which covers the rest")
        func overrides() throws {
            let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_EC2": "http://localhost:4566/",
                       "AWS_ENDPOINT_URL_SECRETS_MANAGER": "https://vpce-1.secretsmanager.example:8443/base"]
            let ec2 = try AWSEndpoint.resolve(.ec2, region: "us-east-1", environment: env)
            #expect(ec2 == AWSEndpoint(scheme: "http", host: "localhost:4566"))
            let sm = try AWSEndpoint.resolve(.secretsManager, region: "us-east-1", environment: env)
            #expect(sm.url("/") == "https://vpce-1.secretsmanager.example:8443/base/")
            #expect(try AWSEndpoint.resolve(.ssm, region: "us-east-1", environment: env).host == "127.0.0.1:5000")
        }

        @Test("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns the overrides off")
        func ignoreOverrides() throws {
            let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]
            #expect(try AWSEndpoint.resolve(.ssm, region: "us-east-1", environment: env).host == "ssm.us-east-1.amazonaws.com")
        }

        @Test("A default port is left out of the signed host")
        func defaultPorts() {
            #expect(AWSEndpoint(url: "https://ec2.example:443")?.host == "ec2.example")
            #expect(AWSEndpoint(url: "http://ec2.example:80/")?.host == "ec2.example")
        }

        @Test("An override that is not a URL is an error naming the variable")
        func badOverride() {
            #expect(throws: AWSEndpointError(variable: "AWS_ENDPOINT_URL_SSM", value: "localhost:4566")) {
                try AWSEndpoint.resolve(.ssm, region: "us-east-1", environment: ["AWS_ENDPOINT_URL_SSM": "localhost:4566"])
            }
        }

        @Test("The region is the pool's, else AWS_REGION, else AWS_DEFAULT_REGION")
        func regionOrder() {
            let env = ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2", "HOME": "/nonexistent"]
            #expect(AWSRegion.resolve(configured: "ap-south-1", environment: env) == "ap-south-1")
            #expect(AWSRegion.resolve(configured: nil, environment: env) == "eu-west-1")
            #expect(AWSRegion.resolve(configured: nil, environment: ["AWS_DEFAULT_REGION": "eu-west-2", "HOME": "/nonexistent"])
                == "eu-west-2")
            #expect(AWSRegion.resolve(configured: nil, environment: ["HOME": "/nonexistent"]) == nil)
        }

        @Test("An ARN names its own region")
        func arnRegion() {
            #expect(AWSRegion.fromARN("arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/key-AbCdEf") == "eu-central-1")
            #expect(AWSRegion.fromARN("app/key") == nil)
        }
    }
}
