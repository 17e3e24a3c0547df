#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    static func timestamp(_ date: Date = Date()) -> String { UTCTimestamp.iso8601(date, milliseconds: true) }
}
