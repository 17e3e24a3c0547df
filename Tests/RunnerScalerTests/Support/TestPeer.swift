import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A loopback test peer (one of the scripts in Tests/Peers) running as a child process. It
/// prints `LISTENING <port>` once bound; `stop()` (or deinit) terminates it.
final class TestPeer: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stderrPipe = Pipe()

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static var python: String {
        ProcessInfo.processInfo.environment["RUNNER_SCALER_PYTHON"] ?? "/usr/bin/env"
    }

    /// Starts `Tests/Peers/<script>` with `arguments` and waits (bounded) for its port.
    /// `environment` is added to (and overrides) this process's environment for the peer.
    init(script: String, arguments: [String] = [], environment: [String: String] = [:],
         timeout: Duration = .seconds(30)) throws {
        let scriptPath = Conformance.repoRoot.appendingPathComponent("Tests/Peers/\(script)").path
        let python = Self.python
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python.hasSuffix("/env") ? ["python3"] : []) + [scriptPath, "--port", "0"] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = ProcessInfo.processInfo.environment["PEER_LOGS"] == nil ? FileHandle.nullDevice : FileHandle.standardError
        try process.run()
        // Read on another thread so a peer that never prints cannot hang the test.
        let handle = out.fileHandleForReading
        let ready = DispatchSemaphore(value: 0)
        let box = PortBox()
        DispatchQueue.global().async {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }) {
                    box.port = Int(line.dropFirst("LISTENING ".count).trimmingCharacters(in: .whitespaces))
                    break
                }
            }
            ready.signal()
        }
        let seconds = Double(timeout.components.seconds)
        guard ready.wait(timeout: .now() + seconds) == .success, let found = box.port else {
            process.terminate()
            throw PeerError("\(script) did not print LISTENING within \(timeout) (is the test venv set up? run scripts/test)")
        }
        port = found
    }

    /// SIGTERM, then SIGKILL after a grace period. Polls rather than `waitUntilExit()`, which
    /// spins a run loop and can hang when called from a deinit on a pool thread.
    func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            for _ in 0..<100 where process.isRunning { usleep(20_000) }
        }
    }

    deinit { stop() }

    // MARK: control API, over URLSession so it does not depend on the client under test

    @discardableResult
    func control(_ method: String, _ path: String, json: Any? = nil) async throws -> Any {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw PeerError("control \(method) \(path) → \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return data.isEmpty ? [String: Any]() : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    func state() async throws -> [String: Any] { try await control("GET", "/_control/state") as! [String: Any] }

    func requests() async throws -> [[String: Any]] {
        let object = try await control("GET", "/_control/requests")
        if let list = object as? [[String: Any]] { return list }
        return (object as! [String: Any])["requests"] as! [[String: Any]]
    }
}

private final class PortBox: @unchecked Sendable { var port: Int? }

struct PeerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
