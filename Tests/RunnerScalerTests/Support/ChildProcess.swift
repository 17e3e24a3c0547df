import Foundation

/// Runs a short child process to completion, bounded. Polls `isRunning` instead of calling
/// `waitUntilExit()`, which spins a run loop and was seen to hang on a busy cooperative pool.
enum ChildProcess {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return try wait(for: process, executable, timeout: timeout)
    }

    /// Polls until `process` ends (SIGKILL and an error after `timeout`); its exit status.
    private static func wait(for process: Process, _ executable: String, timeout: TimeInterval) throws -> Int32 {
        let limit = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > limit {
                kill(process.processIdentifier, SIGKILL)
                throw PeerError("\(executable) did not finish within \(Int(timeout))s")
            }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// Like `run`, with its own environment, and what it wrote to stdout and stderr together
    /// (through a file, so a chatty child cannot block on a full pipe).
    static func capture(_ executable: String, _ arguments: [String], environment: [String: String],
                        timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let sink = try FileHandle(forWritingTo: file)
        defer { try? sink.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let status = try wait(for: process, executable, timeout: timeout)
        return (status, String(decoding: (try? Data(contentsOf: file)) ?? Data(), as: UTF8.self))
    }
}
