import Foundation
import Logging
@testable import RunnerScaler

/// Collects the JSON log lines a `Logger` writes, for assertions.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] { lock.withLock { storage } }

    func logger(_ label: String = "test", level: Logger.Level = .trace) -> Logger {
        Logger(label: label) { label in
            JSONLogHandler(label: label, level: level) { [self] line in lock.withLock { storage.append(line) } }
        }
    }

    func objects() -> [[String: Any]] {
        lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
