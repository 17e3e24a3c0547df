/// A secret value. It prints as `<redacted>` in every interpolation, dump and log line, so
/// the only way to the bytes is the explicit `exposedValue`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let exposedValue: String

    public init(_ value: String) { self.exposedValue = value }

    public var isEmpty: Bool { exposedValue.isEmpty }
    public var utf8Bytes: [UInt8] { Array(exposedValue.utf8) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
