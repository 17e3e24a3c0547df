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
        let body: [String: Any] = [
            "b": true, "a": ["x": NSNull(), "y": [1, 2, 3], "z": "q\"u\\o/t\ne 🚀"], "n": -42, "e": [Any](),
        ]
        let expected = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        #expect(try JSONText.data(body) == Array(expected))
    }

    @Test("Values it does not write (a Double) are left to JSONSerialization")
    func fallback() throws {
        let body: [String: Any] = ["ratio": 0.5, "name": "n"]
        let expected = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        #expect(try JSONText.data(body) == Array(expected))
    }
}
