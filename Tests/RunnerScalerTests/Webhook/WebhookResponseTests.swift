import Foundation
import Testing
@testable import RunnerScaler

@Suite("Webhook responses")
struct WebhookResponseTests {
    @Test("The body is the JSON that JSONSerialization writes with sorted keys", arguments: [
        ["decision": "launch", "result": "launched"],
        ["decision": "ignore"],
        [:],
        ["decision": "x\"y\\z\n\t\u{02}", "result": "ünï/🚀"],
    ])
    func body(extra: [String: String]) throws {
        let message = "repository octo-org/octo-repo is not in the allowlist of pool linux-x64"
        let response = WebhookResponse.json(status: 200, message: message, extra: extra)
        var object = extra
        object["message"] = message
        let expected = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        #expect(response.body == String(decoding: expected, as: UTF8.self))
    }
}
