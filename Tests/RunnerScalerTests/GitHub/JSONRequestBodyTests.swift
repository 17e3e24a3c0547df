import Foundation
import Testing
@testable import RunnerScaler

@Suite("JSON request bodies")
struct JSONRequestBodyTests {
    @Test("A JIT request body is the JSON JSONSerialization writes with sorted keys")
    func jitBody() throws {
        let body: [String: Any] = [
            "name": "rs-linux-x64-29778245101-1", "runner_group_id": Int64(1),
            "labels": ["self-hosted", "linux", "x64"], "work_folder": "_work",
        ]
        let expected = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        #expect(try JSONText.data(body) == Array(expected))
    }

    @Test("Nested objects, nulls, booleans, escapes and slashes match too")
    func nested() throws {
        func body(null: Any) -> [String: Any] {
            ["b": true, "a": ["x": null, "y": [1, 2, 3], "z": "q\"u\\o/t\ne 🚀"], "n": -42, "e": [Any]()]
        }
        let expected = try JSONSerialization.data(withJSONObject: body(null: NSNull()), options: [.sortedKeys])
        #expect(try JSONText.data(body(null: JSONNull())) == Array(expected))
    }

    @Test("Doubles are written as JSONSerialization writes them; non-finite ones are refused")
    func doubles() throws {
        let body: [String: Any] = ["ratio": 0.5, "whole": 2.0, "small": 0.001, "big": 123_456.75, "neg": -3.25, "name": "n"]
        let expected = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        #expect(try JSONText.data(body) == Array(expected))
        #expect(throws: JSONText.UnrepresentableValue.self) { try JSONText.data(["x": Double.nan]) }
        // Neither does a type JSON has no form for (Foundation's NSNull included: ours is JSONNull).
        #expect(throws: JSONText.UnrepresentableValue.self) { try JSONText.data(["x": NSNull()]) }
    }

    @Test("Without escaping slashes, as the Lambda documents and EMF lines are written")
    func unescapedSlashes() throws {
        let body: [String: Any] = ["_aws": ["Timestamp": Int64(1_700_000_000_000), "CloudWatchMetrics": [["Namespace": "a/b"]]],
                                   "Deliveries": [1.0, 2.5], "body": "{\"url\":\"https://x/y\"}", "isBase64Encoded": false]
        let ours = try JSONText.data(body, escapingSlashes: false)
        let text = String(decoding: ours, as: UTF8.self)
        // The same document as JSONSerialization's (which orders keys case-insensitively
        // through ICU; ours are in byte order), and no slash is escaped.
        let reparsed = try JSONSerialization.jsonObject(with: Data(ours)) as? NSDictionary
        #expect(reparsed == (body as NSDictionary))
        #expect(text.hasPrefix(#"{"Deliveries":[1,2.5],"_aws":{"CloudWatchMetrics":[{"Namespace":"a/b"}],"Timestamp":1700000000000},"body""#), "\(text)")
        #expect(!text.contains(#"\/"#))
    }
}
