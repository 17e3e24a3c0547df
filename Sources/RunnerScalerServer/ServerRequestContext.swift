import Hummingbird
import NIOCore

/// Hummingbird's per-request context plus the peer address, which the rate limit and the
/// access log need.
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address (no port), or "unknown" (as in router-level tests).
    public var peerAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
