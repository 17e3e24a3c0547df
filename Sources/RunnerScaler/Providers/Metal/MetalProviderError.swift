/// Failures of the Metal provider itself, before any API call.
public enum MetalProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host or spec names a pool the provider was not built with.
    case unknownPool(String)

    public var description: String {
        switch self {
        case let .unknownPool(pool):
            "pool \(pool) is not a metal pool of the loaded config; the provider only manages pools with provider: metal"
        }
    }
}
