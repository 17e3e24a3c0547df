import Foundation

/// Paths into the third-party test data in `../shared/conformance` (next to the repo), or
/// `$CONFORMANCE_DIR` when set. The data is read in place, never copied into the repo.
enum Conformance {
    static let repoRoot: URL = {
        // Tests/RunnerScalerTests/Support/Conformance.swift → repo root
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }()

    static let root: URL = {
        if let dir = ProcessInfo.processInfo.environment["CONFORMANCE_DIR"] {
            return URL(fileURLWithPath: dir)
        }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

    static func json(_ relative: String) throws -> Any { try JSONSerialization.jsonObject(with: data(relative)) }

    static func files(in relative: String, suffix: String = ".json") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(relative).path)
            .filter { $0.hasSuffix(suffix) }.sorted().map { "\(relative)/\($0)" }
    }
}

/// Paths into this repository (events/, config.example.yml, ...).
enum Repo {
    static func url(_ relative: String) -> URL { Conformance.repoRoot.appendingPathComponent(relative) }
    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }
}
