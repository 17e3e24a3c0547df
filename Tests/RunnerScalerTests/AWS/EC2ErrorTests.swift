import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("EC2 error classification")
    struct EC2ErrorTests {
        struct ErrorCases: Decodable {
            struct Case: Decodable {
                var code: String
                var http_status: Int
                var message: String
                var request_id: String
                var assembled_xml: String
            }

            var cases: [Case]
        }

        static let file = "aws/ec2/errors/ec2-error-responses.json"
        static let codes: [String] = (try? JSONDecoder().decode(ErrorCases.self, from: Conformance.data(file)).cases.map(\.code)) ?? []

        static let expectedDisposition: [String: AWSErrorDisposition] = [
            "InsufficientInstanceCapacity": .tryOtherPlacement,
            "RequestLimitExceeded": .retryWithBackoff,
            "InvalidInstanceID.Malformed": .clientError,
            "InvalidInstanceID.NotFound": .notFound,
        ]

        @Test("Every recorded error parses to its code, message and request ID and gets the right disposition",
              arguments: EC2ErrorTests.codes)
        func recordedError(_ code: String) throws {
            let cases = try JSONDecoder().decode(ErrorCases.self, from: Conformance.data(Self.file)).cases
            let c = try #require(cases.first { $0.code == code })
            let error = EC2Error.parse(httpStatus: c.http_status, body: Array(c.assembled_xml.utf8))
            #expect(error == EC2Error(code: c.code, message: c.message, httpStatus: c.http_status, requestID: c.request_id))
            #expect(error.disposition == Self.expectedDisposition[code])
            #expect(error.description.contains(c.code))
            #expect(error.description.contains(c.request_id))
        }

        @Test("The recorded set covers capacity, throttling, client and not-found errors")
        func coverage() {
            #expect(Set(Self.codes) == Set(Self.expectedDisposition.keys))
        }

        @Test("Capacity and quota codes mean trying another instance type or subnet, even as a 5xx",
              arguments: ["InsufficientInstanceCapacity", "Unsupported", "InstanceLimitExceeded"])
        func placementCodes(_ code: String) {
            for status in [400, 500, 503] {
                #expect(EC2Error(code: code, message: "", httpStatus: status).disposition == .tryOtherPlacement)
            }
        }

        /// Every response rule in botocore's legacy retry config (`__default__` and `ec2`) must
        /// lead to a retry with backoff.
        @Test("Every throttling code and status in botocore's retry config means retry with backoff")
        func botocoreRetryRules() throws {
            let config = try #require(try Conformance.json("aws/ec2/botocore-retry-config-subset.json") as? [String: Any])
            let definitions = try #require(config["definitions"] as? [String: Any])
            let retry = try #require(config["retry"] as? [String: Any])
            var policies: [[String: Any]] = []
            for (_, policy) in try #require((retry["__default__"] as? [String: Any])?["policies"] as? [String: Any]) {
                let ref = try #require((policy as? [String: Any])?["$ref"] as? String)
                policies.append(try #require(definitions[ref] as? [String: Any]))
            }
            let ec2 = try #require(((retry["ec2"] as? [String: Any])?["__default__"] as? [String: Any])?["policies"] as? [String: Any])
            policies += ec2.values.compactMap { $0 as? [String: Any] }

            var checked = 0
            for policy in policies {
                guard let response = (policy["applies_when"] as? [String: Any])?["response"] as? [String: Any] else { continue }
                let code = response["service_error_code"] as? String
                let status = response["http_status_code"] as? Int
                #expect(AWSErrorDisposition.classify(code: code, httpStatus: status) == .retryWithBackoff,
                        "\(code ?? "-") / \(status.map(String.init) ?? "-")")
                checked += 1
            }
            #expect(checked == 13)
            #expect(EC2Error(code: "EC2ThrottledException", message: "", httpStatus: 503).disposition == .retryWithBackoff)
        }

        @Test("Any 5xx without a known code means retry; a plain 4xx is a client error")
        func statuses() {
            for status in [500, 502, 503, 504, 599] {
                #expect(EC2Error(code: "InternalError", message: "", httpStatus: status).disposition == .retryWithBackoff)
            }
            #expect(EC2Error(code: "UnauthorizedOperation", message: "", httpStatus: 403).disposition == .clientError)
            #expect(EC2Error(code: "InvalidParameterValue", message: "", httpStatus: 400).disposition == .clientError)
        }

        @Test("A failed call without an error document is still an error, named after its status")
        func nonXMLBody() {
            let error = EC2Error.parse(httpStatus: 503, body: Array("<html><body>Service Unavailable</body></html>".utf8))
            #expect(error.code == "HTTP503")
            #expect(error.disposition == .retryWithBackoff)
            #expect(!error.description.contains("<html>"))
            #expect(EC2Error.parse(httpStatus: 502, body: [UInt8]()).disposition == .retryWithBackoff)
        }

        @Test("The ErrorResponse envelope of moto's auth errors and of IAM and STS is read too")
        func errorResponseEnvelope() {
            let moto = EC2Error.parse(httpStatus: 401, body: Array("""
                <?xml version="1.0" encoding="utf-8"?>
                <ErrorResponse><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message><Type>Sender</Type></Error></Errors></ErrorResponse>
                """.utf8))
            #expect(moto.code == "AuthFailure")
            #expect(moto.disposition == .clientError)
            let iam = EC2Error.parse(httpStatus: 409, body: Array("""
                <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>User with name x already exists.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
                """.utf8))
            #expect(iam == EC2Error(code: "EntityAlreadyExists", message: "User with name x already exists.", httpStatus: 409,
                                    requestID: "r-1"))
        }
    }
}
