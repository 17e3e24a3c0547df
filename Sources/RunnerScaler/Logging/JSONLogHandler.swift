import Foundation
import Logging

/// swift-log backend writing one JSON object per line: time, level, message and metadata
/// (delivery, event, action, job_id, pool, ...). Secrets never reach it because they are
/// `Secret` values, which print as `<redacted>`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level = .info, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    /// Writes each line to a file descriptor (stdout by default) with a single `write`.
    public static func standardOutput(label: String, level: Logger.Level, fileDescriptor: Int32 = 1) -> JSONLogHandler {
        JSONLogHandler(label: label, level: level) { line in
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            bytes.withUnsafeBytes { _ = write(fileDescriptor, $0.baseAddress, $0.count) }
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        // Metadata wins over the four standard keys, as it always has.
        if fields["time"] == nil { fields["time"] = .string(Self.timestamp()) }
        if fields["level"] == nil { fields["level"] = .string(event.level.rawValue) }
        if fields["message"] == nil { fields["message"] = .string(event.message.description) }
        if fields["logger"] == nil { fields["logger"] = .string(label) }
        // Written by hand rather than with JSONSerialization: one log line cost more CPU than
        // verifying and decoding a 25 KB delivery (BENCHMARKS.md). Keys in byte order.
        var out: [UInt8] = []
        out.reserveCapacity(256)
        Self.append(.dictionary(fields), to: &out)
        sink(String(decoding: out, as: UTF8.self))
    }

    static func append(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case let .string(s): JSONText.appendString(s, to: &out)
        case let .stringConvertible(c): JSONText.appendString(c.description, to: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .dictionary(map):
            out.append(UInt8(ascii: "{"))
            for (i, key) in map.keys.sorted(by: JSONText.byteOrder).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(map[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case let .string(s): s
        case let .stringConvertible(c): c.description
        case let .array(a): a.map(json)
        case let .dictionary(d): d.mapValues(json)
        }
    }

    /// RFC 3339 UTC with milliseconds (`2026-11-22T10:33:58.123Z`), as ISO8601DateFormatter
    /// wrote it with `.withInternetDateTime, .withFractionalSeconds`, without building a
    /// formatter (an ICU calendar and time zone) for every line.
    static func timestamp(_ date: Date = Date()) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = totalMillis >= 0 ? totalMillis / 1000 : (totalMillis - 999) / 1000
        let millis = Int(totalMillis - seconds * 1000)
        // Days since the epoch to a civil date (Howard Hinnant's days_from_civil, inverted).
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = Int(seconds - days * 86400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))

        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); out.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":")); digits(secondOfDay % 60, 2)
        out.append(UInt8(ascii: ".")); digits(millis, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
