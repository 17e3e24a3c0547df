import Foundation
import Logging
import RunnerScaler
import ServiceLifecycle
import Testing
@testable import RunnerScalerServer

/// The one test over a real socket: the server bound to 127.0.0.1 on a free port, libcurl as
/// the client, and a graceful shutdown with a delivery still in flight.
@Suite("serve over a real socket")
struct LiveServerTests {
    @Test("A signed delivery is answered over TCP, and graceful shutdown lets an in-flight delivery finish")
    func liveDeliveryAndGracefulShutdown() async throws {
        let gate = Gate()
        let handler = ServerFixtures.handler()
        var settings = ServerSettings()
        settings.port = 0
        let server = ServerFixtures.server(settings) { request, deadline in
            if request.headers["X-Test-Hold"] != nil { await gate.enterAndWait() }
            return await handler.handle(request, deadline: deadline).response
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = try server.makeApplication { port in portSink.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test")))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            #expect(port > 0)
            let client = CurlHTTPClient()
            let url = "http://127.0.0.1:\(port)/webhook"

            let body = ServerFixtures.queuedBody()
            var headers: HeaderFields = [
                "X-GitHub-Event": "workflow_job", "X-GitHub-Delivery": "live-1", "Content-Type": "application/json",
                "X-Hub-Signature-256": SignatureVerifier.signatureHeader(body: body, secret: ServerFixtures.secret),
            ]
            let first = try await client.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: .seconds(30)),
                                              deadline: .after(.seconds(30)))
            #expect(first.status == 200)
            #expect(String(decoding: first.body, as: UTF8.self).contains(#""decision":"launch""#))

            // A second delivery is held inside the handler while shutdown begins.
            headers.set("X-Test-Hold", "1")
            headers.set("X-GitHub-Delivery", "live-2")
            let held = HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: .seconds(60))
            async let inFlight = client.send(held, deadline: .after(.seconds(60)))
            await gate.waitUntilEntered()
            await group.triggerGracefulShutdown()

            // The listener closes (bounded wait), while the held delivery is still open.
            var refused = false
            for _ in 0..<250 where !refused {
                refused = !LiveServerTests.canConnect(port: port)
                if !refused { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(refused, "the server still accepts connections after shutdown began")

            await gate.release()
            let finished = try await inFlight
            #expect(finished.status == 200)
            #expect(String(decoding: finished.body, as: UTF8.self).contains(#""decision":"launch""#))
            // The group returns once the in-flight delivery is done.
            try await tasks.next()
        }
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Holds a handler until the test releases it, and tells the test when it got there.
actor Gate {
    private var entered = false
    private var released = false
    private var enteredWaiters: [CheckedContinuation<Void, Never>] = []
    private var releaseWaiters: [CheckedContinuation<Void, Never>] = []

    func enterAndWait() async {
        entered = true
        for waiter in enteredWaiters { waiter.resume() }
        enteredWaiters = []
        guard !released else { return }
        await withCheckedContinuation { releaseWaiters.append($0) }
    }

    func waitUntilEntered() async {
        guard !entered else { return }
        await withCheckedContinuation { enteredWaiters.append($0) }
    }

    func release() {
        released = true
        for waiter in releaseWaiters { waiter.resume() }
        releaseWaiters = []
    }
}
