import Foundation
import Testing
@testable import RunnerScaler

@Suite("Decoding invocation events")
struct InvocationEventTests {
    func decode(_ path: String) throws -> InvocationEvent {
        try InvocationEvent.decode(Array(Conformance.data("aws/lambda/events/\(path)")))
    }

    @Test("Function URL events keep headers and the exact body", arguments: [
        "aws-lambda-go/lambda-urls-request.json", "powertools-python/lambdaFunctionUrlEventWithHeaders.json",
    ])
    func functionURL(path: String) throws {
        let event = try decode(path)
        #expect(event.shape == "function-url")
        let raw = try Conformance.json("aws/lambda/events/\(path)") as! [String: Any]
        if let body = raw["body"] as? String, (raw["isBase64Encoded"] as? Bool) != true {
            #expect(event.request?.body == Array(body.utf8))
        }
    }

    @Test("API Gateway v2 events decode as HTTP", arguments: [
        "aws-lambda-go/apigw-v2-request-iam.json", "aws-lambda-go/apigw-v2-request-no-authorizer.json",
        "powertools-python/apiGatewayProxyV2Event.json",
    ])
    func apiGatewayV2(path: String) throws {
        #expect(try decode(path).shape == "function-url")
    }

    @Test("API Gateway v1 events decode, base64 bodies included", arguments: [
        "aws-lambda-go/apigw-request.json", "powertools-python/apiGatewayProxyEvent.json",
    ])
    func apiGatewayV1(path: String) throws {
        let event = try decode(path)
        #expect(event.shape == "apigw-v1")
        let raw = try Conformance.json("aws/lambda/events/\(path)") as! [String: Any]
        if let body = raw["body"] as? String {
            let expected = (raw["isBase64Encoded"] as? Bool) == true ? Array(Data(base64Encoded: body)!) : Array(body.utf8)
            #expect(event.request?.body == expected)
        }
    }

    @Test("A base64 body is decoded to its bytes")
    func base64Body() throws {
        let event = try InvocationEvent.decode(Array(#"{"httpMethod":"POST","headers":{"X-GitHub-Event":"ping"},"body":"eyJ6ZW4iOiJoaSJ9","isBase64Encoded":true}"#.utf8))
        #expect(event.request?.body == Array(#"{"zen":"hi"}"#.utf8))
        #expect(event.request?.headers["x-github-event"] == "ping")
    }

    @Test("Scheduled EventBridge events run the sweep")
    func scheduled() throws {
        guard case .scheduled = try decode("aws-lambda-java-libs/cloudwatch_event.json") else {
            Issue.record("not scheduled"); return
        }
    }

    @Test("Malformed events fail with a precise message", arguments: [
        ("not json", "event is not valid JSON"), ("[1]", "event must be a JSON object"),
        (#"{"hello":1}"#, "event is neither"), (#"{"headers":{},"body":5}"#, "body must be a string"),
        (#"{"headers":{},"body":"%%","isBase64Encoded":true}"#, "not valid base64"),
        (#"{"headers":{"a":1},"body":""}"#, "header a must be a string"),
    ])
    func malformed(input: String, message: String) {
        do { _ = try InvocationEvent.decode(Array(input.utf8)); Issue.record("decoded \(input)") } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("Raw deliveries decode as such")
    func raw() throws {
        #expect(try InvocationEvent.decode(Array(#"{"headers":{"X-GitHub-Event":"ping"},"body":"{}"}"#.utf8)).shape == "raw")
    }
}
