import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("awsJson1_1 requests and responses (SSM, Secrets Manager)")
    struct AWSJSONProtocolTests {
        @Test("GetParameter is a POST with botocore's target, content type and JSON layout")
        func getParameterRequest() {
            let request = SSMGetParameterRequest(name: "/gha-autoscaler/github-app/private-key")
                .awsRequest(host: SSMGetParameterRequest.host(region: "us-east-1"))
            #expect(request.method == "POST")
            #expect(request.path == "/")
            #expect(request.host == "ssm.us-east-1.amazonaws.com")
            #expect(request.headers.map(\.name) == ["X-Amz-Target", "Content-Type"])
            #expect(request.header("X-Amz-Target") == "AmazonSSM.GetParameter")
            #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
            #expect(String(decoding: request.body, as: UTF8.self)
                == #"{"Name": "/gha-autoscaler/github-app/private-key", "WithDecryption": true}"#)
            #expect(SSMGetParameterRequest(name: "n", withDecryption: nil).jsonRequest.body == #"{"Name": "n"}"#)
        }

        @Test("GetSecretValue sends only the members given, in the model's order")
        func getSecretValueRequest() {
            #expect(SecretsManagerGetSecretValueRequest(secretId: "gha/webhook").jsonRequest.body == #"{"SecretId": "gha/webhook"}"#)
            #expect(SecretsManagerGetSecretValueRequest(secretId: "s", versionStage: "AWSPREVIOUS").jsonRequest.body
                == #"{"SecretId": "s", "VersionStage": "AWSPREVIOUS"}"#)
            #expect(SecretsManagerGetSecretValueRequest(secretId: "s").awsRequest(host: "h").header("X-Amz-Target")
                == "secretsmanager.GetSecretValue")
        }

        @Test("Strings are escaped as Python's json.dumps does: quotes, controls and non-ASCII as lower-case \\u")
        func jsonStringEscaping() {
            #expect(AWSJSONRequest.quote("a\"b\\c/d") == #""a\"b\\c/d""#)
            #expect(AWSJSONRequest.quote("\n\r\t\u{08}\u{0C}\u{01}\u{7F}") == #""\n\r\t\b\f\u0001\u007f""#)
            #expect(AWSJSONRequest.quote("äöü ሴ 😀") == #""\u00e4\u00f6\u00fc \u1234 \ud83d\ude00""#)
            let request = AWSJSONRequest(target: "T", members: [("A", .int(3)), ("B", .strings(["x", "y"])), ("C", .bool(false))])
            #expect(request.body == #"{"A": 3, "B": ["x", "y"], "C": false}"#)
        }

        @Test("A GetParameter result gives the parameter's value as a Secret")
        func getParameterResponse() throws {
            let body = #"{"Parameter":{"ARN":"arn:aws:ssm:us-east-1:123456789012:parameter/app/key","DataType":"text","LastModifiedDate":1.714566896E9,"Name":"/app/key","Type":"SecureString","Value":"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n","Version":3}}"#
            let response = try SSMGetParameterResponse(json: Array(body.utf8))
            #expect(response.parameter.name == "/app/key")
            #expect(response.parameter.type == "SecureString")
            #expect(response.parameter.value.exposedValue.hasPrefix("-----BEGIN RSA PRIVATE KEY-----\nMIIE"))
            #expect(response.parameter.version == 3)
            #expect(response.parameter.lastModifiedDate == Date(timeIntervalSince1970: 1_714_566_896))
            #expect(!String(describing: response).contains("MIIE"))
            #expect(throws: AWSResponseError.self) { try SSMGetParameterResponse(json: Array(#"{"Parameters":[]}"#.utf8)) }
        }

        @Test("A GetSecretValue result gives SecretString, or SecretBinary decoded from base64, never printed")
        func getSecretValueResponse() throws {
            let text = #"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:gha/webhook-AbCdEf","CreatedDate":1.523477145713E9,"Name":"gha/webhook","SecretString":"{\"secret\":\"s3cr3t\"}","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1","VersionStages":["AWSCURRENT"]}"#
            let response = try SecretsManagerGetSecretValueResponse(json: Array(text.utf8))
            #expect(response.name == "gha/webhook")
            #expect(response.secretString?.exposedValue == #"{"secret":"s3cr3t"}"#)
            #expect(response.secret?.exposedValue == #"{"secret":"s3cr3t"}"#)
            #expect(response.versionStages == ["AWSCURRENT"])
            #expect(response.createdDate == Date(timeIntervalSince1970: 1_523_477_145.713))
            var dumped = ""
            dump(response, to: &dumped)
            #expect(!String(describing: response).contains("s3cr3t"))
            #expect(!dumped.contains("s3cr3t"))

            let binary = try SecretsManagerGetSecretValueResponse(json: Array(#"{"Name":"b","SecretBinary":"AAEC/w=="}"#.utf8))
            #expect(binary.secretBinary == [0, 1, 2, 255])
            #expect(binary.secretString == nil)
            #expect(binary.secret == nil)
            #expect(throws: AWSResponseError.self) {
                try SecretsManagerGetSecretValueResponse(json: Array(#"{"SecretBinary":"***"}"#.utf8))
            }
        }

        @Test("Error bodies give the bare code from __type and the message from message or Message")
        func errorBodies() {
            let sm = AWSJSONError.parse(
                httpStatus: 400,
                body: Array(#"{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}"#.utf8),
                requestID: "a1b2")
            #expect(sm == AWSJSONError(code: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret.",
                                       httpStatus: 400, requestID: "a1b2"))
            #expect(sm.disposition == .notFound)

            let ssm = AWSJSONError.parse(httpStatus: 400, body: Array(#"{"__type":"ParameterNotFound","message":""}"#.utf8))
            #expect(ssm.code == "ParameterNotFound")
            #expect(ssm.disposition == .notFound)

            let throttled = AWSJSONError.parse(httpStatus: 400,
                                               body: Array(#"{"__type":"ThrottlingException:http://internal","message":"Rate exceeded"}"#.utf8))
            #expect(throttled.code == "ThrottlingException")
            #expect(throttled.message == "Rate exceeded")
            #expect(throttled.disposition == .retryWithBackoff)

            let denied = AWSJSONError.parse(httpStatus: 400, body: Array(#"{"__type":"AccessDeniedException","Message":"no"}"#.utf8))
            #expect(denied.disposition == .clientError)

            let bare = AWSJSONError.parse(httpStatus: 500, body: Array("oops".utf8), errorTypeHeader: "InternalServiceError:")
            #expect(bare.code == "InternalServiceError")
            #expect(bare.disposition == .retryWithBackoff)
            #expect(AWSJSONError.parse(httpStatus: 502, body: [UInt8]()).code == "502")
        }
    }
}
