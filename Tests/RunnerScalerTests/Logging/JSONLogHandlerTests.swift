import Foundation
import Logging
import Testing
@testable import RunnerScaler

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    func line(_ body: (Logger) -> Void) -> [String: Any] {
        let capture = LogCapture()
        body(capture.logger("runner-scaler"))
        return capture.objects().first ?? [:]
    }

    @Test("A line carries time, level, message, logger and the metadata as JSON")
    func fields() throws {
        let object = line { logger in
            var logger = logger
            logger[metadataKey: "delivery"] = "d-1"
            logger.info("decision", metadata: ["pool": "linux-x64", "hosts": ["i-1", "i-2"], "tags": ["a": "b"]])
        }
        #expect(object["message"] as? String == "decision")
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "runner-scaler")
        #expect(object["delivery"] as? String == "d-1")
        #expect(object["pool"] as? String == "linux-x64")
        #expect(object["hosts"] as? [String] == ["i-1", "i-2"])
        #expect(object["tags"] as? [String: String] == ["a": "b"])
        let time = try #require(object["time"] as? String)
        #expect(try #require(Self.iso8601.date(from: time)).timeIntervalSinceNow.magnitude < 60)
    }

    @Test("Quotes, backslashes, control characters and non-ASCII survive a round trip")
    func escaping() {
        let hostile = "a\"b\\c/d\ne\r\tf\u{01}g\u{1F}h ünï 🚀"
        let object = line { $0.error("\(hostile)", metadata: ["error": .string(hostile)]) }
        #expect(object["message"] as? String == hostile)
        #expect(object["error"] as? String == hostile)
    }

    @Test("Keys come out in byte order, so lines are stable")
    func keyOrder() {
        let capture = LogCapture()
        capture.logger("l").info("m", metadata: ["b": "1", "a": "2", "job_id": "3"])
        let text = capture.lines.first ?? ""
        let order = ["\"a\"", "\"b\"", "\"job_id\"", "\"level\"", "\"logger\"", "\"message\"", "\"time\""]
            .map { text.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
    }

    static var iso8601: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    @Test("The timestamp is what ISO8601DateFormatter writes, to the millisecond", arguments: [
        0.0, 951_782_400.5, 1_709_164_799.999, 1_795_000_000.123, 4_102_444_800.0, 1_234_567_890.042,
    ])
    func timestamp(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(JSONLogHandler.timestamp(date) == Self.iso8601.string(from: date))
    }
}
