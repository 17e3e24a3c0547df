import Foundation

/// The GitHub App key the benchmarks sign with. TEST-ONLY: read at run time from the shared
/// conformance vectors (never copied into this repository), or, when they are not beside the
/// checkout, a fresh 2048-bit key from `openssl genrsa` (the size GitHub issues).
public enum TestKey {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// `RUNNER_SCALER_CONFORMANCE` (the conformance folder), else `../shared/conformance`
    /// next to the repository this file is in.
    public static var conformanceFolder: String {
        if let env = ProcessInfo.processInfo.environment["RUNNER_SCALER_CONFORMANCE"], !env.isEmpty { return env }
        // .../<repo>/Benchmarks/Sources/BenchSupport/TestKey.swift → .../shared/conformance
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/conformance").path
    }

    public static func pem() throws -> String {
        let vectors = conformanceFolder + "/github/app-jwt/rs256-github-app-jwt-vectors.json"
        if let data = FileManager.default.contents(atPath: vectors),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let pem = object["private_key_pem_pkcs1"] as? String {
            return pem
        }
        return try generated()
    }

    static func generated() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "genrsa", "-traditional", "2048"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let pem = String(data: data, encoding: .utf8), pem.contains("PRIVATE KEY") else {
            throw Unavailable(description: "no test key: the conformance vectors are missing and `openssl genrsa` failed")
        }
        return pem
    }
}
