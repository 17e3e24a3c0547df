import Foundation
import Testing
@testable import RunnerScaler

@Suite("The libcurl HTTP client against a loopback echo server", .serialized)
final class CurlHTTPClientTests {
    let echo: TestPeer
    let client = CurlHTTPClient()

    init() throws { echo = try TestPeer(script: "echo_server.py") }
    deinit { echo.stop() }

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
    }

    @Test("A POST sends its body and headers and reads the response")
    func roundTrip() async throws {
        let response = try await client.send(
            HTTPRequest(method: "POST", url: echo.baseURL + "/x?y=1", headers: ["X-Test": "1", "Content-Type": "application/json"],
                        body: Array(#"{"a":1}"#.utf8)), deadline: .after(.seconds(5)))
        #expect(response.status == 200)
        let echoed = try json(response)
        #expect(echoed["method"] as? String == "POST")
        #expect(echoed["path"] as? String == "/x?y=1")
        #expect(Data(base64Encoded: echoed["body_b64"] as! String) == Data(#"{"a":1}"#.utf8))
        let headers = echoed["headers"] as! [String: String]
        #expect(headers["x-test"] == "1")
        #expect(headers["user-agent"]?.hasPrefix("runner-scaler/") == true)
        #expect(response.headers["content-type"] == "application/json")
    }

    @Test("DELETE, PUT and HEAD use their methods")
    func methods() async throws {
        for method in ["DELETE", "PUT", "PATCH"] {
            let echoed = try json(try await client.send(HTTPRequest(method: method, url: echo.baseURL + "/m"), deadline: .after(.seconds(5))))
            #expect(echoed["method"] as? String == method)
        }
        let head = try await client.send(HTTPRequest(method: "HEAD", url: echo.baseURL + "/h"), deadline: .after(.seconds(5)))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test("Sequential requests reuse one connection")
    func connectionReuse() async throws {
        var ports = Set<Int>()
        for _ in 0..<3 {
            let echoed = try json(try await client.send(HTTPRequest(url: echo.baseURL + "/reuse"), deadline: .after(.seconds(5))))
            ports.insert(echoed["client_port"] as! Int)
        }
        #expect(ports.count == 1)
    }

    @Test("Any status comes back as a response, not an error")
    func statuses() async throws {
        let response = try await client.send(HTTPRequest(url: echo.baseURL + "/status/503?retry_after=7"), deadline: .after(.seconds(5)))
        #expect(response.status == 503)
        #expect(response.headers["retry-after"] == "7")
    }

    @Test("A per-request timeout ends a slow request with a timed-out error")
    func perRequestTimeout() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await client.send(HTTPRequest(url: echo.baseURL + "/delay/3000", timeout: .milliseconds(300)), deadline: .after(.seconds(10)))
            Issue.record("no timeout")
        } catch let error as HTTPClientError {
            #expect(error.kind == .timedOut)
            #expect(error.path == "/delay/3000")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("The caller's deadline caps the request even without a timeout")
    func deadlineCaps() async throws {
        do {
            _ = try await client.send(HTTPRequest(url: echo.baseURL + "/delay/3000"), deadline: .after(.milliseconds(300)))
            Issue.record("no timeout")
        } catch let error as HTTPClientError {
            #expect(error.kind == .timedOut)
        }
        await #expect(throws: HTTPClientError(.deadlineExceeded, method: "GET", path: "/x")) {
            try await self.client.send(HTTPRequest(url: self.echo.baseURL + "/x"), deadline: .after(.zero))
        }
    }

    @Test("A refused connection is a transient connection failure")
    func refused() async throws {
        do {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:1/nothing"), deadline: .after(.seconds(5)))
            Issue.record("connected to port 1")
        } catch let error as HTTPClientError {
            #expect(error.kind == .connectionFailed)
            #expect(error.isTransient)
        }
    }

    @Test("Responses over the size cap fail instead of filling memory")
    func sizeCap() async throws {
        var configuration = CurlHTTPClient.Configuration()
        configuration.maxResponseBytes = 1000
        let small = CurlHTTPClient(configuration: configuration)
        #expect(try await small.send(HTTPRequest(url: echo.baseURL + "/bytes/1000"), deadline: .after(.seconds(5))).body.count == 1000)
        await #expect(throws: HTTPClientError.self) {
            try await small.send(HTTPRequest(url: self.echo.baseURL + "/bytes/1001"), deadline: .after(.seconds(5)))
        }
    }

    @Test("HTTP_PROXY routes plain HTTP through the proxy; NO_PROXY bypasses it")
    func proxy() async throws {
        var configuration = CurlHTTPClient.Configuration()
        configuration.proxy = .from(environment: ["HTTP_PROXY": echo.baseURL, "NO_PROXY": "direct.invalid"])
        let proxied = CurlHTTPClient(configuration: configuration)
        let echoed = try json(try await proxied.send(HTTPRequest(url: "http://runner-scaler.invalid/via-proxy"), deadline: .after(.seconds(5))))
        #expect(echoed["target"] as? String == "http://runner-scaler.invalid/via-proxy")
        await #expect(throws: HTTPClientError.self) {
            try await proxied.send(HTTPRequest(url: "http://direct.invalid/x"), deadline: .after(.seconds(5)))
        }
    }

    @Test("Errors carry method and path but never header values")
    func errorsHideHeaders() async throws {
        do {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:1/p?token=q", headers: ["Authorization": "Bearer sekrit-value"]),
                                      deadline: .after(.seconds(5)))
        } catch {
            #expect("\(error)".contains("GET /p"))
            #expect(!"\(error)".contains("sekrit-value"))
            #expect(!"\(error)".contains("token=q"))
        }
    }
}

@Suite("TLS verification", .serialized)
final class TLSTests {
    let directory: URL
    let tls: TestPeer

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rs-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ChildProcess.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory.appendingPathComponent("key.pem").path,
            "-out", directory.appendingPathComponent("cert.pem").path,
        ])
        tls = try TestPeer(script: "echo_server.py", arguments: [
            "--cert", directory.appendingPathComponent("cert.pem").path, "--key", directory.appendingPathComponent("key.pem").path,
        ])
    }

    deinit {
        tls.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("An untrusted certificate is refused by default")
    func verifiesByDefault() async throws {
        do {
            _ = try await CurlHTTPClient().send(HTTPRequest(url: "https://127.0.0.1:\(tls.port)/"), deadline: .after(.seconds(5)))
            Issue.record("accepted a self-signed certificate")
        } catch let error as HTTPClientError {
            #expect(error.kind == .tls)
        }
    }

    @Test("A CA bundle override trusts the given certificate")
    func caBundle() async throws {
        let configuration = CurlHTTPClient.Configuration.from(
            environment: ["RUNNER_SCALER_CA_BUNDLE": directory.appendingPathComponent("cert.pem").path])
        let response = try await CurlHTTPClient(configuration: configuration)
            .send(HTTPRequest(url: "https://127.0.0.1:\(tls.port)/ok"), deadline: .after(.seconds(5)))
        #expect(response.status == 200)
    }
}

@Suite("Proxy settings")
struct ProxySettingsTests {
    @Test("Upper- and lower-case variables are read, per scheme")
    func environment() {
        let p = ProxySettings.from(environment: ["HTTPS_PROXY": "http://s:1", "http_proxy": "http://p:2", "NO_PROXY": "internal,.corp"])
        #expect(p.proxy(for: "https://api.github.com/x") == "http://s:1")
        #expect(p.proxy(for: "http://example.com/x") == "http://p:2")
        #expect(p.proxy(for: "https://internal/x") == nil)
        #expect(p.proxy(for: "https://ghes.corp/api/v3") == nil)
        #expect(p.proxy(for: "https://corp.example/x") == "http://s:1")
    }

    @Test("NO_PROXY=* bypasses everything; ports in entries are ignored")
    func wildcard() {
        #expect(ProxySettings(httpsProxy: "http://s", noProxy: "*").proxy(for: "https://a/b") == nil)
        #expect(ProxySettings(httpProxy: "http://s", noProxy: "localhost:8080").proxy(for: "http://localhost:9/") == nil)
    }

    @Test("Hosts are extracted from URLs with users, ports and IPv6 literals")
    func hosts() {
        #expect(ProxySettings.host(of: "https://u:p@h.example:8443/x?y") == "h.example")
        #expect(ProxySettings.host(of: "http://[::1]:80/") == "::1")
    }
}
